"""Sessions as notifications sees them: times, timezone, venue, status and facilitators."""

from common.runtime import Runtime

COLLECTION = "sessions"
PLACE_FIELDS = ("venue", "city", "country")


def scheduled(runtime: Runtime, payload: dict) -> dict:
    """Project `sessions.session.scheduled` (idempotent: a replay changes nothing)."""
    fields = {name: payload.get(name) for name in (
        "series_id", "position", "planned_sessions", "kind", "title", "starts_at", "ends_at",
        "timezone", *PLACE_FIELDS)}
    runtime.db[COLLECTION].update_one(
        {"_id": payload["session_id"]},
        {"$set": {**fields, "status": "scheduled"},
         "$setOnInsert": {"sequence": 0, "facilitator_ids": []}},
        upsert=True)
    return get(runtime, payload["session_id"])


def rescheduled(runtime: Runtime, payload: dict, cause_id: str) -> dict | None:
    """New times and place; SEQUENCE goes up once per reschedule event (calendar updates)."""
    changes = {name: payload.get(name) for name in ("starts_at", "ends_at", "timezone",
                                                     *PLACE_FIELDS)}
    # The guard on the last cause keeps a redelivered event from bumping the sequence twice.
    runtime.db[COLLECTION].update_one(
        {"_id": payload["session_id"], "last_reschedule_id": {"$ne": cause_id}},
        {"$set": {**changes, "status": "scheduled", "last_reschedule_id": cause_id},
         "$inc": {"sequence": 1}})
    return get(runtime, payload["session_id"])


def status_changed(runtime: Runtime, session_id: str, status: str,
                   reason: str | None = None) -> dict | None:
    update = {"status": status}
    if reason is not None:
        update["cancellation_reason"] = reason
    runtime.db[COLLECTION].update_one({"_id": session_id}, {"$set": update})
    return get(runtime, session_id)


def facilitator_assigned(runtime: Runtime, session_id: str, facilitator_id: str) -> None:
    runtime.db[COLLECTION].update_one({"_id": session_id},
                                      {"$addToSet": {"facilitator_ids": facilitator_id}},
                                      upsert=True)


def facilitator_removed(runtime: Runtime, session_id: str, facilitator_id: str) -> None:
    runtime.db[COLLECTION].update_one({"_id": session_id},
                                      {"$pullAll": {"facilitator_ids": [facilitator_id]}})


def get(runtime: Runtime, session_id: str) -> dict | None:
    return runtime.db[COLLECTION].find_one({"_id": session_id})
