"""Registration's local copy of sessions and series, projected from the sessions service's events.

Only the worker writes here, one event at a time per session (`common.persistence.projection`);
the seats, which API processes change concurrently, live in the seat log.
"""

from datetime import UTC, datetime

from common.persistence import by_id, claims, projection
from common.runtime import Runtime

SESSIONS = "sessions"
SERIES = "series"
ATTENDED = ("present", "late")
DESCRIPTION = ("series_id", "position", "kind", "title", "starts_at", "ends_at", "timezone")


def project_series(runtime: Runtime, payload: dict) -> None:
    """Keep the series' eligibility rule and origin."""
    fields = {k: payload.get(k) for k in ("programme_id", "title", "planned_sessions",
                                          "origin_session_id", "eligibility")}
    projection.upsert(runtime.db[SERIES], payload["series_id"], {**fields, "known": True})


def project_scheduled(runtime: Runtime, payload: dict) -> None:
    """Describe the session (status stays as it is on a replay)."""
    sessions = runtime.db[SESSIONS]
    projection.upsert(sessions, payload["session_id"],
                      {**{k: payload.get(k) for k in DESCRIPTION}, "known": True})
    by_id.update_if(sessions, payload["session_id"], lambda session: "status" not in session,
                    {"$set": {"status": "scheduled"}})
    if payload.get("series_id"):
        # The series lists its sessions, so they are read by `_id` (the series' event may come
        # later: it sets its own fields and keeps this list).
        projection.add_to(runtime.db[SERIES], payload["series_id"], "sessions",
                          payload["session_id"])


def project_rescheduled(runtime: Runtime, payload: dict) -> None:
    by_id.set_fields(runtime.db[SESSIONS], payload["session_id"],
                     {k: payload[k] for k in ("starts_at", "ends_at", "timezone")})


def project_closed(runtime: Runtime, session_id: str, status: str) -> None:
    """Cancelled or completed: no more enrollments; a cancelled one stays cancelled."""
    by_id.update_if(runtime.db[SESSIONS], session_id,
                    lambda session: session.get("status") == "scheduled",
                    {"$set": {"status": status}})


def project_attendance(runtime: Runtime, payload: dict) -> None:
    """Remember who attended (present or late on any day), for cohorts built from a workshop."""
    if payload["status"] in ATTENDED:
        projection.add_to(runtime.db[SESSIONS], payload["session_id"], "attendees",
                          payload["participant_id"])


def project_facilitator(runtime: Runtime, payload: dict, assigned: bool) -> None:
    """Who facilitates the session: she alone may read its officers' names for attendance."""
    if assigned:
        projection.add_to(runtime.db[SESSIONS], payload["session_id"], "facilitators",
                          payload["facilitator_id"])
    else:
        projection.remove_from(runtime.db[SESSIONS], payload["session_id"], "facilitators",
                               payload["facilitator_id"])


def facilitates(runtime: Runtime, session_id: str, facilitator_id: str | None) -> bool:
    found = by_id.get(runtime.db[SESSIONS], session_id)
    return bool(facilitator_id) and found is not None and \
        facilitator_id in found.get("facilitators", [])


def _known(document: dict | None) -> dict | None:
    return document if document is not None and document.get("known") else None


def get_session(runtime: Runtime, session_id: str) -> dict | None:
    return _known(by_id.get(runtime.db[SESSIONS], session_id))


def any_session(runtime: Runtime, session_id: str) -> dict | None:
    """The session as projected so far, described or not (attendance may arrive first)."""
    return by_id.get(runtime.db[SESSIONS], session_id)


def get_series(runtime: Runtime, series_id: str) -> dict | None:
    return _known(by_id.get(runtime.db[SERIES], series_id))


def session_ids_of_series(runtime: Runtime, series_id: str) -> list[str]:
    """Every session scheduled in the series, in the order they were projected."""
    series = by_id.get(runtime.db[SERIES], series_id, {"sessions": 1})
    return series.get("sessions", []) if series else []


def sessions_of_series(runtime: Runtime, series_id: str) -> list[dict]:
    """The series' sessions still open to enrollment (in no particular order)."""
    listed = by_id.get_each(runtime.db[SESSIONS], session_ids_of_series(runtime, series_id))
    return [session for session in listed if session.get("status") == "scheduled"]


def attended(runtime: Runtime, participant_id: str) -> list[str]:
    return [s["_id"] for s in runtime.db[SESSIONS].find({"attendees": participant_id},
                                                        {"_id": 1})]


def ensure_indexes(runtime: Runtime) -> None:
    runtime.db[SESSIONS].create_index("series_id")
    if claims.claim(runtime.db[SERIES], "sessions-listed-in-series", at=datetime.now(UTC)):
        # Sessions projected before series listed them, listed once (by one process).
        for old in runtime.db[SESSIONS].find({"series_id": {"$type": "string"}},
                                             {"series_id": 1}):
            projection.add_to(runtime.db[SERIES], old["series_id"], "sessions", old["_id"])
    runtime.db[SESSIONS].create_index("attendees")
