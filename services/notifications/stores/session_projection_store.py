"""Sessions as notifications sees them: times, timezone, venue, status and facilitators.

Written only by the worker, from `sessions.events` keyed by session: one session's events are
applied in turn, so the conditions checked in Python between read and write hold.
"""

from common.persistence import by_id, projection
from common.runtime import Runtime

COLLECTION = "sessions"
PLACE_FIELDS = ("venue", "city", "country")


def scheduled(runtime: Runtime, payload: dict) -> dict:
    """Project `sessions.session.scheduled` (idempotent: a replay changes nothing)."""
    fields = {name: payload.get(name) for name in (
        "series_id", "position", "planned_sessions", "kind", "title", "starts_at", "ends_at",
        "timezone", *PLACE_FIELDS)}
    by_id.write(runtime.db[COLLECTION], payload["session_id"],
                {"$set": {**fields, "status": "scheduled"},
                 "$setOnInsert": {"sequence": 0, "facilitator_ids": []}})
    return get(runtime, payload["session_id"])


def rescheduled(runtime: Runtime, payload: dict, cause_id: str) -> dict | None:
    """New times and place; SEQUENCE goes up once per reschedule event (calendar updates)."""
    changes = {name: payload.get(name) for name in ("starts_at", "ends_at", "timezone",
                                                     *PLACE_FIELDS)}
    # The last cause kept on the session stops a redelivered event from bumping it twice.
    by_id.update_if(runtime.db[COLLECTION], payload["session_id"],
                    lambda session: session.get("last_reschedule_id") != cause_id,
                    {"$set": {**changes, "status": "scheduled", "last_reschedule_id": cause_id},
                     "$inc": {"sequence": 1}}, {"last_reschedule_id": 1})
    return get(runtime, payload["session_id"])


def status_changed(runtime: Runtime, session_id: str, status: str,
                   reason: str | None = None) -> dict | None:
    update = {"status": status}
    if reason is not None:
        update["cancellation_reason"] = reason
    by_id.set_fields(runtime.db[COLLECTION], session_id, update)
    return get(runtime, session_id)


def facilitator_assigned(runtime: Runtime, session_id: str, facilitator_id: str) -> None:
    projection.add_to(runtime.db[COLLECTION], session_id, "facilitator_ids", facilitator_id)


def facilitator_removed(runtime: Runtime, session_id: str, facilitator_id: str) -> None:
    projection.remove_from(runtime.db[COLLECTION], session_id, "facilitator_ids", facilitator_id)


def get(runtime: Runtime, session_id: str) -> dict | None:
    return by_id.get(runtime.db[COLLECTION], session_id)
