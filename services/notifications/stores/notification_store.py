"""Notifications as stored: one per (cause event, recipient, kind), whatever is redelivered."""

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from pymongo import ASCENDING, DESCENDING
from pymongo.errors import BulkWriteError

from common.persistence import by_id
from common.runtime import Runtime
from services.notifications.domain import notification_rules as rules
from services.notifications.domain.errors import IllegalTransitionError, NotFoundError

COLLECTION = "notifications"
DUPLICATE_KEY = 11000
OnCreated = Callable[[dict], None]


def create_many(runtime: Runtime, documents: list[dict],
                on_created: OnCreated | None = None) -> list[dict]:
    """Record several notifications in one insert; returns those their causes had not already
    produced (the unique index on cause, recipient and kind refuses a repeat), each handed to
    ``on_created`` (the worker's sender) once stored."""
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
    if on_created is not None:
        for stored in created:
            on_created(stored)
    return created


def get(runtime: Runtime, notification_id: str) -> dict | None:
    return by_id.get(runtime.db[COLLECTION], notification_id, {"outbox": 0})


def found(runtime: Runtime, notification_id: str) -> dict:
    """The notification, or NotFoundError."""
    notification = get(runtime, notification_id)
    if notification is None:
        raise NotFoundError(f"no notification with id {notification_id}")
    return notification


def each(runtime: Runtime, notification_ids: Iterable[str]) -> list[dict]:
    """The notifications of these ids that exist, in the order asked (one read by `_id` each)."""
    return by_id.get_each(runtime.db[COLLECTION], notification_ids, {"outbox": 0})


def listing(runtime: Runtime, filters: dict, skip: int, limit: int) -> tuple[list[dict], int]:
    """One page of the feed, newest first, by any of its filters, and how many match."""
    collection = runtime.db[COLLECTION]
    query = {k: v for k, v in filters.items() if v is not None}
    total = collection.count_documents(query)
    ordered = collection.find(query, {"outbox": 0}).sort([("created_at", DESCENDING),
                                                          ("_id", ASCENDING)])
    return list(ordered.skip(skip).limit(limit)), total


def cancel_waiting(runtime: Runtime, query: dict, reason: str,
                   now: datetime | None = None) -> int:
    """Cancel notifications matching ``query`` that nobody has started sending."""
    result = runtime.db[COLLECTION].update_many(
        {**query, "status": {"$in": list(rules.CLAIMABLE)}},
        {"$set": {"status": "cancelled", "status_reason": reason,
                  "finished_at": now or datetime.now(UTC)}})
    return result.modified_count


def resend(runtime: Runtime, notification_id: str, now: datetime) -> dict:
    """Put a failed notification back in the queue with a fresh round of tries."""
    update = rules.resent(found(runtime, notification_id), now)
    resent = runtime.update(COLLECTION, {"_id": notification_id, "status": "failed"}, update, [])
    if resent is None:  # resent by someone else meanwhile: refused, naming its status now
        rules.resent(found(runtime, notification_id), now)
        raise IllegalTransitionError(f"notification {notification_id} changed; try again")
    resent.pop("outbox", None)
    return resent


def ensure_indexes(runtime: Runtime) -> None:
    collection = runtime.db[COLLECTION]
    collection.create_index([("cause_event_id", 1), ("recipient_id", 1), ("kind", 1)],
                            unique=True)
    collection.create_index([("recipient_id", 1), ("created_at", -1)])
    collection.create_index([("session_id", 1), ("status", 1)])
    collection.create_index([("status", 1), ("due_at", 1)])
    collection.create_index("outbox_pending")
