"""Notifications: one per (cause event, recipient, kind), whatever is redelivered."""

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from pymongo import ASCENDING, DESCENDING
from pymongo.errors import BulkWriteError

from common.envelope import Event
from common.runtime import Runtime

COLLECTION = "notifications"
DUPLICATE_KEY = 11000
REGISTRATION_ACKNOWLEDGED = "registration_acknowledged"
ENROLLMENT_CONFIRMED = "enrollment_confirmed"
ENROLLMENT_WAITLISTED = "enrollment_waitlisted"
ENROLLMENT_PROMOTED = "enrollment_promoted"
ENROLLMENT_WITHDRAWN = "enrollment_withdrawn"
ENROLLMENT_CANCELLED = "enrollment_cancelled"
SESSION_INVITATION = "session_invitation"
SESSION_RESCHEDULED = "session_rescheduled"
SESSION_CANCELLED = "session_cancelled"
SESSION_REMINDER = "session_reminder"
FACILITATOR_ASSIGNED = "facilitator_assigned"
FEEDBACK_REQUESTED = "feedback_requested"
CERTIFICATE_ISSUED = "certificate_issued"

TEMPLATES = (REGISTRATION_ACKNOWLEDGED, ENROLLMENT_CONFIRMED, ENROLLMENT_WAITLISTED,
             ENROLLMENT_PROMOTED, ENROLLMENT_WITHDRAWN, ENROLLMENT_CANCELLED,
             SESSION_INVITATION, SESSION_RESCHEDULED, SESSION_CANCELLED, SESSION_REMINDER,
             FACILITATOR_ASSIGNED, FEEDBACK_REQUESTED, CERTIFICATE_ISSUED)
# Officers must learn of these whatever they switched off.
CRITICAL = (SESSION_RESCHEDULED, SESSION_CANCELLED)

# pending: send when due; scheduled: a reminder waiting for its time; sending: claimed by a
# worker until `claimed_until`; the rest are final (a failed one can be resent).
STATUSES = ("pending", "scheduled", "sending", "sent", "failed", "skipped", "cancelled")
CLAIMABLE = ("pending", "scheduled")

_listeners: list[Callable[[dict], None]] = []


def when_created(listener: Callable[[dict], None]) -> None:
    """Hand every notification this process records to ``listener`` (the worker's sender)."""
    _listeners.append(listener)


def document(cause: Event, recipient_id: str, kind: str, *, session_id: str | None = None,
             template: str | None = None, due_at: datetime | None = None,
             status: str = "pending", context: dict | None = None, channel: str = "email",
             now: datetime | None = None, **extra) -> dict:
    """A notification as it is first stored."""
    now = now or datetime.now(UTC)
    return {"_id": str(uuid.uuid4()), "cause_event_id": cause.id, "cause_type": cause.type,
            "recipient_id": recipient_id, "kind": kind, "template": template or kind,
            "channel": channel, "session_id": session_id, "status": status,
            "due_at": now if due_at is None and status == "pending" else due_at,
            "context": context or {}, "attempts": [], "tries": 0, "generation": 0,
            "correlationid": cause.correlationid, "created_at": now, **extra}


def create(runtime: Runtime, cause: Event, recipient_id: str, kind: str,
           **fields) -> dict | None:
    """Record a notification; None if this cause already produced it for this recipient."""
    created = create_many(runtime, [document(cause, recipient_id, kind, **fields)])
    return created[0] if created else None


def create_many(runtime: Runtime, documents: list[dict]) -> list[dict]:
    """Record several notifications in one insert; returns those their causes had not already
    produced (the unique index on cause, recipient and kind refuses a repeat)."""
    if not documents:
        return []
    refused: set[int] = set()
    try:
        runtime.db[COLLECTION].insert_many(documents, ordered=False)
    except BulkWriteError as exc:
        errors = exc.details.get("writeErrors", [])
        if any(e.get("code") != DUPLICATE_KEY for e in errors):
            raise
        refused = {e["index"] for e in errors}
    created = [d for n, d in enumerate(documents) if n not in refused]
    for listener in _listeners:
        for stored in created:
            listener(stored)
    return created


def get(runtime: Runtime, notification_id: str) -> dict | None:
    return runtime.db[COLLECTION].find_one({"_id": notification_id}, {"outbox": 0})


def listing(runtime: Runtime, filters: dict, skip: int, limit: int) -> tuple[list[dict], int]:
    collection = runtime.db[COLLECTION]
    query = {k: v for k, v in filters.items() if v is not None}
    total = collection.count_documents(query)
    found = collection.find(query, {"outbox": 0}).sort([("created_at", DESCENDING),
                                                        ("_id", ASCENDING)])
    return list(found.skip(skip).limit(limit)), total


def cancel_waiting(runtime: Runtime, query: dict, reason: str) -> int:
    """Cancel notifications matching ``query`` that nobody has started sending."""
    result = runtime.db[COLLECTION].update_many(
        {**query, "status": {"$in": list(CLAIMABLE)}},
        {"$set": {"status": "cancelled", "status_reason": reason,
                  "finished_at": datetime.now(UTC)}})
    return result.modified_count


def resend(runtime: Runtime, notification_id: str, now: datetime | None = None) -> dict | None:
    """Put a failed notification back in the queue with a fresh round of tries."""
    now = now or datetime.now(UTC)
    return runtime.update(COLLECTION, {"_id": notification_id, "status": "failed"},
                          {"$set": {"status": "pending", "due_at": now, "tries": 0,
                                    "status_reason": None}, "$inc": {"generation": 1}}, [])


def ensure_indexes(runtime: Runtime) -> None:
    collection = runtime.db[COLLECTION]
    collection.create_index([("cause_event_id", 1), ("recipient_id", 1), ("kind", 1)],
                            unique=True)
    collection.create_index([("recipient_id", 1), ("created_at", -1)])
    collection.create_index([("session_id", 1), ("status", 1)])
    collection.create_index([("status", 1), ("due_at", 1)])
    collection.create_index("outbox_pending")
