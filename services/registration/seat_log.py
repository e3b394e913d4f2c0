"""The append-only log of each session's seat decisions, and the state it folds into."""

from pymongo import ASCENDING

from common.runtime import Runtime
from services.registration import rules

LOG = "seat_log"


def state(runtime: Runtime, session_id: str) -> rules.SeatState | None:
    """The session's seats now: the fold of its log (None if never opened)."""
    log = runtime.db[LOG].find({"session_id": session_id}, {"outbox": 0}).sort("seq", ASCENDING)
    return rules.fold(list(log))


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
