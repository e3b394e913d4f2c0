"""Each session's seats as an append-only log of decisions, and the state it folds into.

Entries are numbered 0, 1, 2... per session (`common.persistence.numbered_log`) and never change
once written (only the relay empties their outbox, which the fold does not read). Appending the
next number is the one exclusive step: of two processes deciding on the same state, one append
wins and the other re-reads and decides again. Each process keeps the entries it has read and
catches up by reading the numbers that follow.
"""

import threading
from collections import OrderedDict
from datetime import UTC, datetime

from pymongo.errors import DuplicateKeyError

from common.envelope import Event
from common.persistence import numbered_log
from common.runtime import Runtime
from services.registration.domain import seat_rules

LOG = "seat_log"
REMEMBERED_SESSIONS = 2000
_read: OrderedDict[tuple[str, str], list[dict]] = OrderedDict()
_lock = threading.Lock()


def state(runtime: Runtime, session_id: str) -> seat_rules.SeatState | None:
    """The session's seats now: the fold of its log (None if never opened)."""
    key = (runtime.db.name, session_id)
    with _lock:
        entries = list(_read.get(key, ()))
    after = entries[-1]["seq"] if entries else -1
    entries += numbered_log.following(runtime.db[LOG], session_id, after, {"outbox": 0})
    if entries:
        with _lock:
            if len(entries) >= len(_read.get(key, ())):
                _read[key] = entries
                _read.move_to_end(key)
            while len(_read) > REMEMBERED_SESSIONS:
                _read.popitem(last=False)
    return seat_rules.fold(entries)


def open_log(runtime: Runtime, session_id: str, series_id: str | None, capacity: int) -> None:
    """The log's first entry; a replay finds it there already."""
    numbered_log.append(runtime.db[LOG], session_id, 0, {
        "session_id": session_id, "seq": 0, "kind": "opened", "series_id": series_id,
        "capacity": capacity, "status": "scheduled", "at": datetime.now(UTC), "changes": []})


def append(runtime: Runtime, current: seat_rules.SeatState, kind: str, changes: list,
           events: list[Event], **fields) -> bool:
    """Write the entry after ``current`` with its events; False if another writer took it."""
    seq = current.revision + 1
    document = {"_id": numbered_log.entry_id(current.session_id, seq),
                "session_id": current.session_id, "seq": seq, "kind": kind,
                "at": datetime.now(UTC), "changes": changes, **fields}
    try:
        # Through the runtime, not numbered_log.append: the events travel in the entry's outbox.
        runtime.insert(LOG, document, events)
    except DuplicateKeyError:
        return False
    return True


def sessions_changed_since(runtime: Runtime, moment) -> set[str]:
    return {e["session_id"] for e in runtime.db[LOG].find({"at": {"$gte": moment}},
                                                         {"session_id": 1})}


def all_sessions(runtime: Runtime) -> set[str]:
    return set(runtime.db[LOG].distinct("session_id"))


def ensure_indexes(runtime: Runtime) -> None:
    runtime.db[LOG].create_index("at")
    runtime.db[LOG].create_index("outbox_pending")
