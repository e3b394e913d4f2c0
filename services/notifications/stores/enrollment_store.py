"""Who is enrolled where: the slice of registration's enrollments that notifications needs."""

from common.persistence import by_id, projection
from common.runtime import Runtime
from services.notifications.domain.planning_rules import ACTIVE

COLLECTION = "enrollments"


def project(runtime: Runtime, payload: dict, status: str) -> bool:
    """Record an enrollment's latest status; False for an event older than the one recorded.

    Two API processes may publish one enrollment's events out of order (a waiting-list place
    decided just before a promotion can arrive just after it); the seat log's `sequence` says
    which decision came last. One enrollment's events share a key, so one consumer handles them
    in turn.
    """
    recorded = {"participant_id": payload["participant_id"], "session_id": payload["session_id"],
                "series_id": payload.get("series_id"), "status": status,
                "sequence": payload.get("sequence")}
    stored = by_id.get(runtime.db[COLLECTION], payload["enrollment_id"], {"sequence": 1})
    known, sequence = (stored or {}).get("sequence"), payload.get("sequence")
    if known is not None and sequence is not None and known >= sequence:
        return False  # a later decision about this enrollment was already recorded
    projection.upsert(runtime.db[COLLECTION], payload["enrollment_id"], recorded)
    return True


def enrolled_in_session(runtime: Runtime, session_id: str) -> list[str]:
    """Participants confirmed (or promoted) in a session, each once."""
    found = runtime.db[COLLECTION].find({"session_id": session_id, "status": {"$in": ACTIVE}},
                                        {"participant_id": 1})
    return sorted({e["participant_id"] for e in found})


def confirmed_in_series(runtime: Runtime, series_id: str) -> list[str]:
    """Participants confirmed in any session of a series: the cohort a new session invites."""
    found = runtime.db[COLLECTION].find({"series_id": series_id, "status": {"$in": ACTIVE}},
                                        {"participant_id": 1})
    return sorted({e["participant_id"] for e in found})


def ensure_indexes(runtime: Runtime) -> None:
    runtime.db[COLLECTION].create_index("session_id")
    runtime.db[COLLECTION].create_index("series_id")
