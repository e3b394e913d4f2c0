"""Notifications: one per (cause event, recipient, kind), whatever is redelivered."""

import uuid
from datetime import UTC, datetime

from pymongo import DESCENDING
from pymongo.errors import DuplicateKeyError

from common.envelope import Event
from common.runtime import Runtime

COLLECTION = "notifications"
REGISTRATION_ACKNOWLEDGED = "registration_acknowledged"
STATUSES = ("pending", "scheduled", "sent", "failed", "skipped", "cancelled")


def create(runtime: Runtime, cause: Event, recipient_id: str, kind: str,
           channel: str = "email") -> dict | None:
    """Record a pending notification; None if this cause already produced it."""
    document = {"_id": str(uuid.uuid4()), "cause_event_id": cause.id, "cause_type": cause.type,
                "recipient_id": recipient_id, "kind": kind, "channel": channel,
                "status": "pending", "attempts": [], "correlationid": cause.correlationid,
                "created_at": datetime.now(UTC)}
    try:
        runtime.db[COLLECTION].insert_one(document)
    except DuplicateKeyError:
        return None
    return document


def listing(runtime: Runtime, filters: dict, skip: int, limit: int) -> tuple[list[dict], int]:
    collection = runtime.db[COLLECTION]
    query = {k: v for k, v in filters.items() if v is not None}
    total = collection.count_documents(query)
    found = collection.find(query, {"outbox": 0}).sort("created_at", DESCENDING)
    return list(found.skip(skip).limit(limit)), total


def ensure_indexes(runtime: Runtime) -> None:
    collection = runtime.db[COLLECTION]
    collection.create_index([("cause_event_id", 1), ("recipient_id", 1), ("kind", 1)],
                            unique=True)
    collection.create_index([("recipient_id", 1), ("created_at", -1)])
    collection.create_index("outbox_pending")
