"""Each session's seats as an append-only log of decisions, and the state it folds into.

Entries are numbered 0, 1, 2... per session (`common.persistence.numbered_log`) and never change
once written (only the relay empties their outbox, which the fold does not read). Appending the
next number is the one exclusive step: of two processes deciding on the same state, one append
wins and the other re-reads and decides again. Each process keeps the entries it has read and
catches up by reading the numbers that follow.
"""

import threading
import time
from collections import OrderedDict
from datetime import UTC, datetime

from pymongo.errors import DuplicateKeyError

from common.envelope import Event
from common.persistence import by_id, numbered_log
from common.runtime import Runtime
from services.registration.domain import seat_rules
from services.registration.stores import host_hints, host_numbered

LOG = "seat_log"
CHANGES = "seat_log_changes"
REMEMBERED_SESSIONS = 2000
# And at most this many enrollments in them all (about 1 KB each): a process that reads many
# large sessions (the worker's sweep, a fan-out's) keeps the latest, not all of them.
REMEMBERED_ENROLLMENTS = 50_000
# The seats each process has read, by (database, session): a state is never changed once
# made (`seat_rules.then` makes a new one), so one may be shared between threads.
_read: OrderedDict[tuple[str, str], seat_rules.SeatState] = OrderedDict()
_held = [0]  # enrollments in `_read`
_lock = threading.Lock()


def _remember(key: tuple[str, str], state: seat_rules.SeatState) -> None:
    with _lock:
        known = _read.get(key)
        if known is None or known.revision < state.revision:
            _held[0] += len(state.history) - (len(known.history) if known else 0)
            _read[key] = state
            _read.move_to_end(key)
        while len(_read) > REMEMBERED_SESSIONS or (
                _held[0] > REMEMBERED_ENROLLMENTS and len(_read) > 1):
            _, dropped = _read.popitem(last=False)
            _held[0] -= len(dropped.history)


def remembered(runtime: Runtime, session_id: str) -> seat_rules.SeatState | None:
    """The session's seats as this process last read or wrote them (None if never): a decision
    may start from it, since its append fails, and the decision is made again, if it is stale."""
    with _lock:
        return _read.get((runtime.db.name, session_id))


def state(runtime: Runtime, session_id: str) -> seat_rules.SeatState | None:
    """The session's seats now: the fold of its log (None if never opened)."""
    key = (runtime.db.name, session_id)
    with _lock:
        known = _read.get(key)
    after = known.revision if known else -1
    following = numbered_log.following(runtime.db[LOG], session_id, after, {"outbox": 0})
    if not following:
        return known
    now = seat_rules.then(known, following)
    if now is not None:
        _remember(key, now)
        host_hints.ended(runtime, LOG, session_id, now.revision + 1)
    return now


def caught_up(runtime: Runtime, known: seat_rules.SeatState | None
              ) -> seat_rules.SeatState | None:
    """``known`` with the entries this host's processes wrote after it, read by their numbers
    (one read each, none when there are none); None when one of them is missing (not written
    here: read the log with `state`). Another host's entries make the append fail, as before."""
    if known is None:
        return None
    end = host_hints.known_end(runtime, LOG, known.session_id)
    if end is None or end <= known.revision + 1:
        return known
    numbers = range(known.revision + 1, end)
    read = numbered_log.read(runtime.db[LOG], known.session_id, numbers, {"outbox": 0})
    if len(read) != len(numbers):
        return None
    now = seat_rules.then(known, read)
    _remember((runtime.db.name, known.session_id), now)
    return now


def taken(runtime: Runtime, current: seat_rules.SeatState) -> seat_rules.SeatState | None:
    """The seats after the entry that took the number following ``current`` (one read by
    `_id`, where `state` reads on to the first gap too): a decision made again on them is
    appended at once, and that append tells whether yet another entry followed."""
    [entry] = numbered_log.read(runtime.db[LOG], current.session_id, [current.revision + 1],
                                {"outbox": 0}) or [None]
    if entry is None:
        return None
    after = seat_rules.then(current, [entry])
    _remember((runtime.db.name, current.session_id), after)
    host_hints.ended(runtime, LOG, current.session_id, after.revision + 1)
    return after


def open_log(runtime: Runtime, session_id: str, series_id: str | None, capacity: int) -> None:
    """The log's first entry; a replay finds it there already."""
    numbered_log.append(runtime.db[LOG], session_id, 0, {
        "session_id": session_id, "seq": 0, "kind": "opened", "series_id": series_id,
        "capacity": capacity, "status": "scheduled", "at": datetime.now(UTC), "changes": []})


def append(runtime: Runtime, current: seat_rules.SeatState, kind: str, changes: list,
           events: list[Event], **fields) -> seat_rules.SeatState | None:
    """Write the entry after ``current`` with its events: the seats after it, or None if
    another writer took that number."""
    seq = current.revision + 1
    entry = {"session_id": current.session_id, "seq": seq, "kind": kind,
             "at": datetime.now(UTC), "changes": changes, **fields}
    try:
        # Through the runtime, not numbered_log.append: the events travel in the entry's outbox.
        runtime.insert(LOG, {"_id": numbered_log.entry_id(current.session_id, seq), **entry},
                       events)
    except DuplicateKeyError:
        return None
    after = seat_rules.then(current, [entry])
    _remember((runtime.db.name, current.session_id), after)
    host_hints.ended(runtime, LOG, current.session_id, seq + 1)
    return after


# A session noted this recently is not noted again: the sweep looks at a noted session again
# `enrollment_sweep.SETTLE_S` after reading its note, so a decision written within
# this time of the note is still seen by that look. Noting every decision cost a write each.
NOTE_KEPT_S = 2.0
_noted: OrderedDict[tuple[str, str], float] = OrderedDict()


def note_change(runtime: Runtime, session_id: str) -> None:
    """Number, before deciding, that the session's seats may change: the sweep reads these
    numbers (by `_id`) to know which sessions to look at, instead of the whole log."""
    key, now = (runtime.db.name, session_id), time.monotonic()
    with _lock:
        if now - _noted.get(key, -NOTE_KEPT_S) < NOTE_KEPT_S:
            return
    # The host's processes note in turns, each from where the last left the stream: one
    # insert, where racing for the next number cost a search for the end and a lost insert.
    host_numbered.append_each(runtime, CHANGES, [("all", {"session_id": session_id})])
    with _lock:
        _noted[key] = now
        _noted.move_to_end(key)
        while len(_noted) > REMEMBERED_SESSIONS:
            _noted.popitem(last=False)


def noted_after(runtime: Runtime, number: int) -> list[tuple[int, str]]:
    """Each change noted after ``number`` (-1: from the first): (its number, its session)."""
    noted = numbered_log.following(runtime.db[CHANGES], "all", number)
    return [(number + 1 + n, entry["session_id"]) for n, entry in enumerate(noted)]


# The sweep's mark (`enrollment_sweep`), next to the notes: every copy a note up to `settled`
# announced is verified, and the notes up to `through` are read. A restarted sweep starts
# there; the bench waits until `settled` reaches the last note (the sweep is idle).
SWEPT = "swept"


def swept(runtime: Runtime) -> dict | None:
    return runtime.db[CHANGES].find_one({"_id": SWEPT})


def mark_swept(runtime: Runtime, settled: int, through: int) -> None:
    by_id.write(runtime.db[CHANGES], SWEPT, {"$set": {"settled": settled, "through": through,
                                                     "at": datetime.now(UTC)}})


def last_change(runtime: Runtime) -> int:
    return numbered_log.length(runtime.db[CHANGES], "all") - 1


def all_sessions(runtime: Runtime) -> set[str]:
    return set(runtime.db[LOG].distinct("session_id"))


def ensure_indexes(runtime: Runtime) -> None:
    runtime.db[LOG].create_index("outbox_pending")
