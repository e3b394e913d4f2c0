"""Registration's local copy of sessions and series, projected from the sessions service's events.

Every function here is naturally idempotent: applying the same event twice leaves the same state.
The seats themselves (holders, waiting list) change only in `seats.py`.
"""

from pymongo.errors import DuplicateKeyError

from common.runtime import Runtime

SESSIONS = "sessions"
SERIES = "series"
ATTENDED = ("present", "late")


def initial_seats(capacity: int) -> dict:
    """The seat state of a session nobody has enrolled in yet."""
    return {"status": "scheduled", "capacity": capacity, "seats_left": capacity, "holders": [],
            "waiting": [], "entries": {}, "revision": 0, "sync_pending": False}


def project_series(runtime: Runtime, payload: dict) -> None:
    """Keep the series' rule and origin; its cohort is registration's own and is left alone."""
    fields = {k: payload.get(k) for k in ("programme_id", "title", "planned_sessions",
                                          "origin_session_id", "eligibility")}
    runtime.db[SERIES].update_one({"_id": payload["series_id"]},
                                  {"$set": {**fields, "known": True}}, upsert=True)


def project_scheduled(runtime: Runtime, payload: dict) -> dict:
    """Create the session's projection (or refresh its description on a replay)."""
    session_id = payload["session_id"]
    about = {k: payload.get(k) for k in ("series_id", "position", "kind", "title", "starts_at",
                                         "ends_at", "timezone")}
    collection = runtime.db[SESSIONS]
    try:
        # Inserted, not upserted: FerretDB drops empty arrays given to $setOnInsert.
        collection.insert_one({"_id": session_id, **about, **initial_seats(payload["capacity"]),
                               "attendees": []})
    except DuplicateKeyError:
        collection.update_one({"_id": session_id}, {"$set": about})
        # An attendance record may have created the document first: give it its seats once.
        collection.update_one({"_id": session_id, "capacity": {"$exists": False}},
                              {"$set": initial_seats(payload["capacity"])})
    return collection.find_one({"_id": session_id})


def project_rescheduled(runtime: Runtime, payload: dict) -> None:
    runtime.db[SESSIONS].update_one({"_id": payload["session_id"]}, {"$set": {
        k: payload[k] for k in ("starts_at", "ends_at", "timezone")}})


def project_completed(runtime: Runtime, payload: dict) -> None:
    """A completed session takes no more enrollments; a cancelled one stays cancelled."""
    runtime.db[SESSIONS].update_one({"_id": payload["session_id"], "status": "scheduled"},
                                    {"$set": {"status": "completed"}})


def project_attendance(runtime: Runtime, payload: dict) -> None:
    """Remember who attended (present or late on any day), for cohorts built from a workshop."""
    if payload["status"] in ATTENDED:
        runtime.db[SESSIONS].update_one({"_id": payload["session_id"]},
                                        {"$addToSet": {"attendees": payload["participant_id"]}},
                                        upsert=True)


def get_session(runtime: Runtime, session_id: str) -> dict | None:
    return runtime.db[SESSIONS].find_one({"_id": session_id, "capacity": {"$exists": True}},
                                         {"outbox": 0})


def get_series(runtime: Runtime, series_id: str) -> dict | None:
    return runtime.db[SERIES].find_one({"_id": series_id, "known": True})


def sessions_of_series(runtime: Runtime, series_id: str) -> list[dict]:
    """The series' sessions still open to enrollment, in order."""
    found = runtime.db[SESSIONS].find({"series_id": series_id, "status": "scheduled"},
                                      {"outbox": 0})
    return sorted(found, key=lambda s: (s.get("position") or 0, str(s.get("starts_at"))))


def ensure_indexes(runtime: Runtime) -> None:
    runtime.db[SESSIONS].create_index("series_id")
    runtime.db[SESSIONS].create_index("outbox_pending")
    runtime.db[SESSIONS].create_index("sync_pending")
