"""Who is enrolled where: the slice of registration's enrollments that notifications needs."""

from pymongo.errors import DuplicateKeyError

from common.runtime import Runtime

COLLECTION = "enrollments"
ACTIVE = ("confirmed", "promoted")


def project(runtime: Runtime, payload: dict, status: str) -> bool:
    """Record an enrollment's latest status; False for an event older than the one recorded.

    Two API processes may publish one enrollment's events out of order (a waiting-list place
    decided just before a promotion can arrive just after it); the seat log's `sequence` says
    which decision came last.
    """
    recorded = {"participant_id": payload["participant_id"], "session_id": payload["session_id"],
                "series_id": payload.get("series_id"), "status": status,
                "sequence": payload.get("sequence")}
    query = {"_id": payload["enrollment_id"]}
    if payload.get("sequence") is not None:
        query["$or"] = [{"sequence": None}, {"sequence": {"$lt": payload["sequence"]}}]
    try:
        runtime.db[COLLECTION].update_one(query, {"$set": recorded}, upsert=True)
    except DuplicateKeyError:  # the upsert met the recorded, later decision
        return False
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
