"""Registration's local copy of sessions and series, projected from the sessions service's events.

Only the worker writes here, one event at a time per session, so plain updates are safe; the
seats, which API processes change concurrently, live in the seat log (`seat_log.py`). Every
function is naturally idempotent: the same event applied twice leaves the same state.
"""

from common.runtime import Runtime

SESSIONS = "sessions"
SERIES = "series"
ATTENDED = ("present", "late")
DESCRIPTION = ("series_id", "position", "kind", "title", "starts_at", "ends_at", "timezone")


def project_series(runtime: Runtime, payload: dict) -> None:
    """Keep the series' eligibility rule and origin."""
    fields = {k: payload.get(k) for k in ("programme_id", "title", "planned_sessions",
                                          "origin_session_id", "eligibility")}
    runtime.db[SERIES].update_one({"_id": payload["series_id"]},
                                  {"$set": {**fields, "known": True}}, upsert=True)


def project_scheduled(runtime: Runtime, payload: dict) -> None:
    """Describe the session (status stays as it is on a replay)."""
    runtime.db[SESSIONS].update_one(
        {"_id": payload["session_id"]},
        {"$set": {**{k: payload.get(k) for k in DESCRIPTION}, "known": True}}, upsert=True)
    runtime.db[SESSIONS].update_one({"_id": payload["session_id"], "status": {"$exists": False}},
                                    {"$set": {"status": "scheduled"}})


def project_rescheduled(runtime: Runtime, payload: dict) -> None:
    runtime.db[SESSIONS].update_one({"_id": payload["session_id"]}, {"$set": {
        k: payload[k] for k in ("starts_at", "ends_at", "timezone")}})


def project_closed(runtime: Runtime, session_id: str, status: str) -> None:
    """Cancelled or completed: no more enrollments; a cancelled one stays cancelled."""
    runtime.db[SESSIONS].update_one({"_id": session_id, "status": "scheduled"},
                                    {"$set": {"status": status}})


def project_attendance(runtime: Runtime, payload: dict) -> None:
    """Remember who attended (present or late on any day), for cohorts built from a workshop."""
    if payload["status"] in ATTENDED:
        runtime.db[SESSIONS].update_one({"_id": payload["session_id"]},
                                        {"$addToSet": {"attendees": payload["participant_id"]}},
                                        upsert=True)


def project_facilitator(runtime: Runtime, payload: dict, assigned: bool) -> None:
    """Who facilitates the session: she alone may read its officers' names for attendance."""
    change = "$addToSet" if assigned else "$pullAll"
    value = payload["facilitator_id"] if assigned else [payload["facilitator_id"]]
    runtime.db[SESSIONS].update_one({"_id": payload["session_id"]},
                                    {change: {"facilitators": value}}, upsert=assigned)


def facilitates(runtime: Runtime, session_id: str, facilitator_id: str | None) -> bool:
    found = runtime.db[SESSIONS].find_one({"_id": session_id})
    return bool(facilitator_id) and found is not None and \
        facilitator_id in found.get("facilitators", [])


def get_session(runtime: Runtime, session_id: str) -> dict | None:
    return runtime.db[SESSIONS].find_one({"_id": session_id, "known": True})


def get_series(runtime: Runtime, series_id: str) -> dict | None:
    return runtime.db[SERIES].find_one({"_id": series_id, "known": True})


def sessions_of_series(runtime: Runtime, series_id: str) -> list[dict]:
    """The series' sessions still open to enrollment, in order."""
    found = runtime.db[SESSIONS].find({"series_id": series_id, "status": "scheduled"})
    return sorted(found, key=lambda s: (s.get("position") or 0, str(s.get("starts_at"))))


def attended(runtime: Runtime, participant_id: str) -> list[str]:
    return [s["_id"] for s in runtime.db[SESSIONS].find({"attendees": participant_id},
                                                        {"_id": 1})]


def ensure_indexes(runtime: Runtime) -> None:
    runtime.db[SESSIONS].create_index("series_id")
    runtime.db[SESSIONS].create_index("attendees")
