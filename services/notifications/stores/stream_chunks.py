"""Chunks of a numbered stream (`stream_store`): the entries a writer appends to a stream at
once, in one document keyed by the first one's number, `{_id: "<stream>:<n>", chunk: [...]}`
(`common.persistence.numbered_log.entry_id`), never across a multiple of GROUP (so every group
of GROUP entries starts a chunk and can be read from its start).

Chunks tile a stream without gap or overlap: a writer inserts only at an end it read (or right
after its own chunk, in order), and any other number it could know of starts a chunk, so its
insert there is refused. Before chunks, each entry was its own document (`{_id:
"<stream>:<n>", ...entry}`): it reads as a chunk of one, so streams written before read on.
"""

from pymongo.collection import Collection
from pymongo.errors import BulkWriteError

from common.persistence import numbered_log
from services.notifications.stores.stream_memory import GROUP

DUPLICATE_KEY = 11000


def document(stream: str, start: int, chunk: list[dict]) -> dict:
    return {"_id": numbered_log.entry_id(stream, start), "chunk": chunk}


def unpacked(found: dict) -> list[dict]:
    """A chunk's entries (a document written before chunks, one per entry, is one entry)."""
    return found["chunk"] if "chunk" in found else [found]


def numbered(start: int, entries: list[dict]) -> dict[int, dict]:
    return {start + offset: entry for offset, entry in enumerate(entries)}


def sliced(end: int, entries: list[dict]) -> list[tuple[int, list[dict]]]:
    """``entries`` appended from ``end`` on, as (start, chunk): cut at each multiple of GROUP."""
    chunks, at = [], 0
    while at < len(entries):
        size = GROUP - (end + at) % GROUP
        chunks.append((end + at, entries[at:at + size]))
        at += size
    return chunks


def insert_in_order(collection: Collection, documents: list[dict]) -> tuple[int, bool]:
    """Insert ``documents`` in order, stopping at the first whose `_id` is taken: how many were
    inserted, and whether one was refused (then it and those after it were not written)."""
    if not documents:
        return 0, False
    try:
        collection.insert_many(documents, ordered=True)
    except BulkWriteError as exc:
        errors = exc.details.get("writeErrors", [])
        if not errors or errors[0].get("code") != DUPLICATE_KEY:
            raise
        return errors[0]["index"], True
    return len(documents), False
