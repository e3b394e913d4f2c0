"""The calendar: which sessions each listing holds, in start order, as documents read by `_id`.

Each listing a client can ask for (every session; a programme's, a series', a facilitator's;
each of these by status) is a scope. A scope holds its sessions as a listing shows them, each
under its key (`<start>|<session id>`: the keys' order is the listing's), stored as
`session_listing_blocks` says: chunks of at most 32 sessions, blocks of chunks, a head of
blocks, each of a bounded size. A page is the head, a block and the chunk or two it falls in,
whatever the number stored: not a read per session, since twenty reads by `_id` cost more than a
page may. A write of a session rewrites its block and chunk in each of its scopes (moving it
between chunks and scopes); decisions read the sessions themselves.

Writers take turns (every write changes the "all" scope anyway). In a process, the threads
waiting hand their changes to the one holding the turn, which applies them all in one round:
eight requests at once cost about one round, not eight in a queue. Across processes, the turn is
a claim (a unique insert), taken over after STALE_TURN from a writer that crashed. A round reads
the head and the blocks and chunks it changes of each scope touched, then makes three writes
whatever their number: the changed blocks and chunks under new ids, the heads, the deletion of
the old ones. So a reader sees a listing before or after the round, and one that finds a block
or chunk gone reads the head again.
"""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from common.persistence import claims
from common.runtime import Runtime
from services.sessions.stores import documents
from services.sessions.stores import session_listing_blocks as blocks

LISTING = "session_listings"  # heads, blocks and chunks (`session_listing_blocks`)
TURNS = "session_listing_turns"
TURN = "calendar"  # one writer of the calendar at a time (every write changes the "all" scope)
STALE_TURN = timedelta(seconds=10)  # a writer that crashed holding its turn
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


def _apply(runtime: Runtime, taken: list[_Waiting]) -> None:
    """Apply the writers' changes, in the order they came, with one write of each kind."""
    listing = runtime.db[LISTING]
    wanted: dict[str, dict[str, dict | None]] = {}
    for waiting in taken:
        for scope, keys in waiting.changes.items():
            wanted.setdefault(scope, {}).update(keys)
    blocks.store(listing, wanted)


def size(runtime: Runtime, scope: str) -> int:
    """How many sessions a scope lists (one read)."""
    return blocks.size(runtime.db[LISTING], scope)


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
    entries, total = blocks.entries(runtime.db[LISTING], scope, skip, limit)
    return [entry["session"] for entry in entries], total


def ids(runtime: Runtime, scope: str) -> list[str]:
    """Every session id of a scope, earliest first."""
    found = blocks.entries(runtime.db[LISTING], scope, 0, EVERY)[0]
    return [_id_of(entry["key"]) for entry in found]
