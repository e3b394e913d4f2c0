"""The append-only log of each session's seat decisions, and the state it folds into.

Entries are numbered 0, 1, 2... per session and never change once written (only the relay
empties their outbox, which the fold does not read). So each process keeps the entries it has
read, and catches up by asking for the next numbers by `_id`: on FerretDB a query on
`session_id` reads the whole log, one by `_id` reads one row.
"""

import threading
from collections import OrderedDict

from pymongo import ASCENDING

from common.runtime import Runtime
from services.registration import rules

LOG = "seat_log"
REMEMBERED_SESSIONS = 2000
_read: OrderedDict[tuple[str, str], list[dict]] = OrderedDict()
_lock = threading.Lock()


def state(runtime: Runtime, session_id: str) -> rules.SeatState | None:
    """The session's seats now: the fold of its log (None if never opened)."""
    key = (runtime.db.name, session_id)
    with _lock:
        entries = list(_read.get(key, ()))
    collection = runtime.db[LOG]
    if not entries:
        entries = list(collection.find({"session_id": session_id}, {"outbox": 0})
                       .sort("seq", ASCENDING))
    while entries:
        following = collection.find_one({"_id": entry_id(session_id, entries[-1]["seq"] + 1)},
                                        {"outbox": 0})
        if following is None:
            break
        entries.append(following)
    if entries and entries[0]["seq"] == 0:
        with _lock:
            if len(entries) >= len(_read.get(key, ())):
                _read[key] = entries
                _read.move_to_end(key)
            while len(_read) > REMEMBERED_SESSIONS:
                _read.popitem(last=False)
    return rules.fold(entries)


def entry_id(session_id: str, seq: int) -> str:
    """Unique per (session, sequence number): the insert that claims it decides."""
    return f"{session_id}:{seq:08d}"


def sessions_changed_since(runtime: Runtime, moment) -> set[str]:
    return {e["session_id"] for e in runtime.db[LOG].find({"at": {"$gte": moment}},
                                                         {"session_id": 1})}


def ensure_indexes(runtime: Runtime) -> None:
    runtime.db[LOG].create_index([("session_id", ASCENDING), ("seq", ASCENDING)])
    runtime.db[LOG].create_index("at")
    runtime.db[LOG].create_index("outbox_pending")
