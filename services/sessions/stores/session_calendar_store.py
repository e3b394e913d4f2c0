"""The calendar: which sessions each listing holds, in start order, as documents read by `_id`.

Each listing a client can ask for (every session; a programme's, a series', a facilitator's;
each of these by status) is a scope. A scope holds its sessions as a listing shows them, each
under its key (`<start>|<session id>`: the keys' order is the listing's), in chunks of at most
CHUNK (`<scope>#<n>`); a head (`_id` = scope) lists its chunks' numbers and sizes in order, and
the writers' copy of it (`<scope>|firsts`) their first keys too. A page is the head and
the chunk or two it falls in, whatever the number stored: not a read per session, since twenty
reads by `_id` cost more than a page may. A write of a session rewrites its chunk in each of
its scopes (moving it between chunks and scopes); decisions read the sessions themselves.

Writers take turns (every write changes the "all" scope anyway). In a process, the threads
waiting hand their changes to the one holding the turn, which applies them all in one round:
eight requests at once cost about one round, not eight in a queue. Across processes, the turn is
a claim (a unique insert), taken over after STALE_TURN from a writer that crashed. A round reads
the head and the chunks it changes of each scope touched, then makes three writes whatever their
number: the changed chunks under new ids, the heads, the deletion of the old chunks. So a reader
sees a listing before or after the round, and one that finds a chunk gone reads the head again.
"""

import math
import threading
import time
from bisect import bisect_right
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from pymongo import DeleteOne, ReplaceOne

from common.persistence import by_id, claims
from common.runtime import Runtime
from services.sessions.stores import documents

LISTING = "session_listing"
TURNS = "session_listing_turns"
TURN = "calendar"  # one writer of the calendar at a time (every write changes the "all" scope)
STALE_TURN = timedelta(seconds=10)  # a writer that crashed holding its turn
CHUNK = 64  # sessions per chunk: a page reads at most two, a write rewrites those it touches
ALL = "all"
NARROWING = ("series_id", "programme_id", "facilitator_id")
EVERY = 10_000  # sessions of one series or programme, far above any real one


def _scopes(session: dict | None) -> set[str]:
    if session is None:
        return set()
    bases = [ALL, *(f"{field}:{session[field]}" for field in ("programme_id", "series_id")
                    if session.get(field)),
             *(f"facilitator_id:{a['facilitator_id']}" for a in session.get("facilitators", []))]
    return {*bases, *(f"{base}|status:{session['status']}" for base in bases)}


def key_of(session: dict) -> str:
    """A session's place in every listing: its start (UTC, fixed width), then its id."""
    return f"{session['starts_at'].astimezone(UTC):%Y-%m-%dT%H:%M:%S.%f}|{session['_id']}"


def _id_of(key: str) -> str:
    return key.split("|", 1)[1]


def place(runtime: Runtime, before: dict | None, after: dict) -> None:
    """Move a session in the calendar from where ``before`` had it to where ``after`` does."""
    place_many(runtime, [(before, after)])


def place_many(runtime: Runtime, moves: list[tuple[dict | None, dict]]) -> None:
    """Move each session from where its ``before`` had it to where its ``after`` does: one
    round for them all, whatever their number."""
    changes: dict[str, dict[str, dict | None]] = {}  # scope -> key -> shown, or None: gone
    for before, after in moves:
        was = {scope: key_of(before) for scope in _scopes(before)}
        now = {scope: key_of(after) for scope in _scopes(after)}
        shown = {k: v for k, v in after.items() if k not in documents.HIDDEN}
        for scope in set(was) | set(now):
            keys = changes.setdefault(scope, {})
            if scope in was and was[scope] != now.get(scope):
                keys[was[scope]] = None
            if scope in now:
                keys[now[scope]] = shown
    if changes:
        _combined(runtime, changes)


class _Waiting:
    """One writer's changes, until whoever holds the calendar has applied them."""

    def __init__(self, changes: dict[str, dict[str, dict | None]]):
        self.changes = changes
        self.finished = threading.Event()
        self.error: BaseException | None = None


_waiting: dict[str, list[_Waiting]] = {}  # per database
_holding: dict[str, threading.Lock] = {}
_guard = threading.Lock()


def _combined(runtime: Runtime, changes: dict[str, dict[str, dict | None]]) -> None:
    name = runtime.db.name
    mine = _Waiting(changes)
    with _guard:
        _waiting.setdefault(name, []).append(mine)
        holding = _holding.setdefault(name, threading.Lock())
    with holding:
        if not mine.finished.is_set():
            with _guard:
                taken = _waiting.pop(name, [])
            try:
                with _turn(runtime):
                    _apply(runtime, taken)
            except BaseException as exc:
                for waiting in taken:
                    waiting.error = exc
            finally:
                for waiting in taken:
                    waiting.finished.set()
    mine.finished.wait()
    if mine.error is not None:
        raise mine.error


@contextmanager
def _turn(runtime: Runtime) -> Iterator[None]:
    turns, pause = runtime.db[TURNS], 0.002
    while not claims.claim(turns, TURN, since=datetime.now(UTC)):
        held = claims.holder(turns, TURN)
        if held and held["since"] < datetime.now(UTC) - STALE_TURN:
            turns.delete_one({"_id": TURN, "since": held["since"]})
        time.sleep(pause)
        pause = min(pause * 2, 0.02)  # each try is a write to the one database writer
    try:
        yield
    finally:
        turns.delete_one({"_id": TURN})


def _chunk_id(scope: str, number: int) -> str:
    return f"{scope}#{number}"


def _apply(runtime: Runtime, taken: list[_Waiting]) -> None:
    """Apply the writers' changes, in the order they came, with one write of each kind."""
    listing = runtime.db[LISTING]
    wanted: dict[str, dict[str, dict | None]] = {}
    for waiting in taken:
        for scope, keys in waiting.changes.items():
            wanted.setdefault(scope, {}).update(keys)
    written, heads, gone = [], [], []
    for scope, keys in sorted(wanted.items()):
        chunks, following = _rechunked(listing, scope, *_planned(listing, scope), keys,
                                       written, gone)
        head = {"ids": [chunk["id"] for chunk in chunks],
                "sizes": [chunk["size"] for chunk in chunks], "next": following}
        # Writers read the head with the chunks' first keys, a copy of their own; readers the
        # head alone, which stays small. Written in this order, the writers' copy is never
        # behind the chunks the readers' head points at.
        heads += [ReplaceOne({"_id": _firsts_id(scope)},
                             {**head, "firsts": [chunk["first"] for chunk in chunks]},
                             upsert=True),
                  ReplaceOne({"_id": scope}, head, upsert=True)]
    if written:
        listing.insert_many(written)
    listing.bulk_write(heads)
    if gone:
        listing.bulk_write([DeleteOne({"_id": chunk_id}) for chunk_id in gone])


def _firsts_id(scope: str) -> str:
    return f"{scope}|firsts"


def _planned(listing, scope: str) -> tuple[list[dict], int]:
    """A scope's chunks in order (number, first key, size) and the next free number."""
    head = by_id.get(listing, _firsts_id(scope)) or {"ids": [], "sizes": [], "firsts": [],
                                                      "next": 0}
    return ([{"id": n, "first": first, "size": size}
             for n, first, size in zip(head["ids"], head["firsts"], head["sizes"], strict=True)],
            head["next"])


def _rechunked(listing, scope: str, chunks: list[dict], following: int,
               keys: dict[str, dict | None], written: list, gone: list
               ) -> tuple[list[dict], int]:
    """A scope's chunks with ``keys`` shown anew or removed: the chunks they fall in are read
    and written again under new numbers (added to ``written``, the old ones to ``gone``)."""
    firsts = [chunk["first"] for chunk in chunks]
    touched: dict[int, dict[str, dict | None]] = {}
    for key, shown in keys.items():
        touched.setdefault(max(0, bisect_right(firsts, key) - 1), {})[key] = shown
    replaced = {}
    for index, changes in touched.items():
        held: dict[str, dict] = {}
        if index < len(chunks):
            old = _chunk_id(scope, chunks[index]["id"])
            held = {e["key"]: e["session"]
                    for e in (by_id.get(listing, old) or {}).get("entries", [])}
            gone.append(old)
        for key, shown in changes.items():
            if shown is None:
                held.pop(key, None)
            else:
                held[key] = shown
        entries = [{"key": key, "session": held[key]} for key in sorted(held)]
        pieces = math.ceil(len(entries) / CHUNK)
        replaced[index] = []
        for n in range(pieces):
            piece = entries[n * len(entries) // pieces:(n + 1) * len(entries) // pieces]
            written.append({"_id": _chunk_id(scope, following), "entries": piece})
            replaced[index].append({"id": following, "first": piece[0]["key"],
                                    "size": len(piece)})
            following += 1
    chunks = ([c for index, chunk in enumerate(chunks) for c in replaced.get(index, [chunk])]
              if chunks else replaced.get(0, []))
    return chunks, following


def size(runtime: Runtime, scope: str) -> int:
    """How many sessions a scope lists (one read)."""
    return sum((by_id.get(runtime.db[LISTING], scope) or {}).get("sizes", []))


def _entries(runtime: Runtime, scope: str, skip: int, limit: int) -> tuple[list[dict], int]:
    """The entries at positions skip .. skip + limit - 1 of a scope, and how many it holds."""
    listing = runtime.db[LISTING]
    for _ in range(5):
        head = by_id.get(listing, scope) or {"ids": [], "sizes": []}
        found, seen, complete = [], 0, True
        for number, size in zip(head["ids"], head["sizes"], strict=True):
            if seen + size > skip and seen < skip + limit:
                held = by_id.get(listing, _chunk_id(scope, number))
                if held is None:  # rewritten since the head was read: read it again
                    complete = False
                    break
                found += held["entries"][max(0, skip - seen):skip + limit - seen]
            seen += size
        if complete:
            return found, seen
    return found, seen


def scope_of(filters: dict) -> tuple[str, dict]:
    """The scope answering ``filters``, and the filters it leaves to check on each session."""
    given = {k: v for k, v in filters.items() if v is not None}
    base = next((f"{f}:{given.pop(f)}" for f in NARROWING if f in given), ALL)
    if "status" in given:
        base = f"{base}|status:{given.pop('status')}"
    return base, given


def narrowest(runtime: Runtime, filters: dict) -> tuple[str, dict]:
    """Like `scope_of`, choosing among several narrowing filters the scope listing fewest."""
    given = {k: v for k, v in filters.items() if v is not None}
    candidates = [scope_of({f: given[f], "status": given.get("status")})[0]
                  for f in NARROWING if f in given]
    if len(candidates) < 2:
        return scope_of(filters)
    chosen = min(candidates, key=lambda scope: size(runtime, scope))
    field = chosen.split(":", 1)[0]
    return chosen, {k: v for k, v in given.items() if k not in (field, "status")}


def page(runtime: Runtime, scope: str, skip: int, limit: int) -> tuple[list[dict], int]:
    """One page of a scope's sessions as listed, earliest first, and how many it holds."""
    entries, total = _entries(runtime, scope, skip, limit)
    return [entry["session"] for entry in entries], total


def ids(runtime: Runtime, scope: str) -> list[str]:
    """Every session id of a scope, earliest first."""
    return [_id_of(entry["key"]) for entry in _entries(runtime, scope, 0, EVERY)[0]]
