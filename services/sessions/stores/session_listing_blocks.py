"""How one listing (a scope) is stored: entries in chunks, chunks in blocks, blocks in a head.

A scope's entries (`{"key", "session"}`, in key order) are held in chunks of at most CHUNK
(`<scope>#<n>`); a block (`<scope>@<n>`) lists at most BLOCK chunks in order with their sizes
and first keys; the head (`_id` = scope) lists the blocks the same way. So every document a page
or a write reads has a bounded size but the head, which grows by one entry per BLOCK chunks (about
500 sessions: 0.8 KB as a page reads it at 20,000), where a head listing every chunk grew by one
per chunk (34 KB at 20,000 sessions, read by every page and every write). A page reads the head,
the block or two its positions fall in and the chunk or two; a write reads the head and, per
key, one block and one chunk.

Chunks and blocks are never changed in place: a write stores the changed ones under new numbers
(`next` in the head), then the heads, then deletes the old ones. A reader that finds a block or
chunk gone read a head since replaced: it reads the head again. Being immutable, a block or chunk
read (or written) once is kept in the process (KEPT of them, the latest used), so a page whose
block and chunk are kept reads the head alone, and so does a write, per scope, of a chunk this
process wrote last. A head's `generation`, drawn when the head is made, is part of what a kept
document is known by: a scope made again (its collection dropped) numbers from 0 again.
"""

import math
import threading
import uuid
from bisect import bisect_right
from collections import OrderedDict

import bson
from pymongo import DeleteOne, ReplaceOne
from pymongo.errors import BulkWriteError

from common.persistence import by_id

CHUNK = 32  # entries per chunk: a write rewrites the one a session is in, in each scope
BLOCK = 32  # chunks per block: a block stays under ~3 KB whatever the scope's size
KEPT = 64  # blocks and chunks kept per process: a chunk of 32 sessions is ~130 KB of objects
EMPTY = {"ids": [], "sizes": [], "firsts": [], "next": 0, "generation": None}
READING = {"firsts": 0}  # a reader needs the numbers and sizes; the first keys are the writers'

_kept: OrderedDict = OrderedDict()  # (collection, generation, _id) -> the document, read-only
_keeping = threading.Lock()


def chunk_id(scope: str, number: int) -> str:
    return f"{scope}#{number}"


def block_id(scope: str, number: int) -> str:
    return f"{scope}@{number}"


def head(listing, scope: str, projection: dict | None = None) -> dict:
    return by_id.get(listing, scope, projection) or EMPTY


def _known(listing, generation: str | None, doc_id: str) -> dict | None:
    """A block or chunk, kept or read (None: gone)."""
    if generation is None:
        return by_id.get(listing, doc_id)
    name = (listing.full_name, generation, doc_id)
    with _keeping:
        found = _kept.get(name)
        if found is not None:
            _kept.move_to_end(name)
            return found
    found = by_id.get(listing, doc_id)
    if found is not None:
        _keep(listing, generation, [found])
    return found


def _keep(listing, generation: str, documents: list[dict]) -> None:
    with _keeping:
        for document in documents:
            name = (listing.full_name, generation, document["_id"])
            _kept[name] = document
            _kept.move_to_end(name)
        while len(_kept) > KEPT:
            _kept.popitem(last=False)


def size(listing, scope: str) -> int:
    """How many entries a scope holds (one read)."""
    return sum(head(listing, scope, READING)["sizes"])


def entries(listing, scope: str, skip: int, limit: int) -> tuple[list[dict], int]:
    """The entries at positions skip .. skip + limit - 1 of a scope, and how many it holds."""
    found, total = [], 0
    for _ in range(5):
        top = head(listing, scope, READING)
        found, total = _within(listing, scope, top, skip, limit), sum(top["sizes"])
        if found is not None:
            return found, total
    return [], total


def _within(listing, scope: str, top: dict, skip: int, limit: int) -> list[dict] | None:
    """The entries at those positions as ``top`` places them; None if a block or chunk it
    names is gone (rewritten since)."""
    found, seen = [], 0
    for block_number, block_size in zip(top["ids"], top["sizes"], strict=True):
        if seen + block_size > skip and seen < skip + limit:
            block = _known(listing, top["generation"], block_id(scope, block_number))
            if block is None:
                return None
            for number, chunk_size in zip(block["ids"], block["sizes"], strict=True):
                if seen + chunk_size > skip and seen < skip + limit:
                    chunk = _known(listing, top["generation"], chunk_id(scope, number))
                    if chunk is None:
                        return None
                    found += chunk["entries"][max(0, skip - seen):skip + limit - seen]
                seen += chunk_size
        else:
            seen += block_size
        if seen >= skip + limit:
            break
    return found


def store(listing, wanted: dict[str, dict[str, dict | None]]) -> None:
    """Show each scope's keys anew (or remove them: None) with three writes whatever their
    number: the new blocks and chunks, the heads, the deletion of the old ones."""
    written, heads, gone, kept = [], [], [], []
    for scope, keys in sorted(wanted.items()):
        mine: list[dict] = []
        top = _rewritten(listing, scope, keys, mine, gone)
        heads.append(ReplaceOne({"_id": scope}, top, upsert=True))
        written += mine
        kept.append((top["generation"], mine))
    if written:
        _inserted(listing, written)
    by_id.bulk(listing, heads)
    if gone:
        listing.bulk_write([DeleteOne({"_id": old}) for old in gone])
    for generation, documents in kept:  # as a read would return them: times to the ms
        _keep(listing, generation, [bson.decode(bson.encode(document), listing.codec_options)
                                    for document in documents])


def _inserted(listing, written: list[dict]) -> None:
    """Insert a round's new blocks and chunks. A round that failed after its inserts (before its
    heads) left documents under the numbers this one draws again, which no head names: they are
    deleted and the insert made again, instead of refusing every later round as a duplicate."""
    try:
        listing.insert_many(written)
    except BulkWriteError as refused:
        if any(error.get("code") != 11000 for error in refused.details.get("writeErrors", [])):
            raise
        listing.bulk_write([DeleteOne({"_id": document["_id"]}) for document in written])
        listing.insert_many(written)


def _rewritten(listing, scope: str, keys: dict[str, dict | None], written: list,
               gone: list) -> dict:
    """The scope's new head with ``keys`` shown anew (or removed: None): the blocks and chunks
    they fall in are read and stored again under new numbers (added to ``written``, the old
    ones' ids to ``gone``)."""
    top = head(listing, scope)
    generation = top.get("generation") or uuid.uuid4().hex
    following = top["next"]
    blocks = _listed(top)
    firsts = [block["first"] for block in blocks]
    touched: dict[int, dict[str, dict | None]] = {}
    for key, shown in keys.items():
        touched.setdefault(max(0, bisect_right(firsts, key) - 1), {})[key] = shown
    replaced = {}
    for index, changes in touched.items():
        chunks = []
        if index < len(blocks):
            old = block_id(scope, blocks[index]["id"])
            chunks = _listed(_known(listing, generation, old) or EMPTY)
            gone.append(old)
        chunks, following = _rechunked(listing, scope, generation, chunks, following,
                                       changes, written, gone)
        replaced[index] = []
        for piece in _split(chunks, BLOCK):
            written.append({"_id": block_id(scope, following), **_listing_of(piece)})
            replaced[index].append({"id": following, "first": piece[0]["first"],
                                    "size": sum(chunk["size"] for chunk in piece)})
            following += 1
    return {**_listing_of(_merged(blocks, replaced)), "next": following,
            "generation": generation}


def _listed(document: dict) -> list[dict]:
    return [{"id": n, "first": first, "size": size} for n, first, size
            in zip(document["ids"], document["firsts"], document["sizes"], strict=True)]


def _listing_of(parts: list[dict]) -> dict:
    return {"ids": [part["id"] for part in parts], "sizes": [part["size"] for part in parts],
            "firsts": [part["first"] for part in parts]}


def _split(items: list, most: int) -> list[list]:
    """``items`` in the fewest runs of at most ``most``, of about equal length."""
    pieces = math.ceil(len(items) / most)
    return [items[n * len(items) // pieces:(n + 1) * len(items) // pieces]
            for n in range(pieces)]


def _merged(parts: list[dict], replaced: dict[int, list[dict]]) -> list[dict]:
    if not parts:
        return replaced.get(0, [])
    return [p for index, part in enumerate(parts) for p in replaced.get(index, [part])]


def _rechunked(listing, scope: str, generation: str, chunks: list[dict], following: int,
               keys: dict[str, dict | None], written: list, gone: list
               ) -> tuple[list[dict], int]:
    """A block's chunks with ``keys`` shown anew or removed: the chunks they fall in are read
    and written again under new numbers."""
    firsts = [chunk["first"] for chunk in chunks]
    touched: dict[int, dict[str, dict | None]] = {}
    for key, shown in keys.items():
        touched.setdefault(max(0, bisect_right(firsts, key) - 1), {})[key] = shown
    replaced = {}
    for index, changes in touched.items():
        held: dict[str, dict] = {}
        if index < len(chunks):
            old = chunk_id(scope, chunks[index]["id"])
            held = {e["key"]: e["session"]
                    for e in (_known(listing, generation, old) or {}).get("entries", [])}
            gone.append(old)
        for key, shown in changes.items():
            if shown is None:
                held.pop(key, None)
            else:
                held[key] = shown
        replaced[index] = []
        for piece in _split([{"key": key, "session": held[key]} for key in sorted(held)],
                            CHUNK):
            written.append({"_id": chunk_id(scope, following), "entries": piece})
            replaced[index].append({"id": following, "first": piece[0]["key"],
                                    "size": len(piece)})
            following += 1
    return _merged(chunks, replaced), following
