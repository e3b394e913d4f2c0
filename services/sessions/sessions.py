"""Scheduling sessions: the session and `sessions.session.scheduled`, written together."""

import uuid
from datetime import UTC, datetime

from pymongo import ASCENDING

from common.runtime import Runtime
from services.sessions import events

COLLECTION = "sessions"


def schedule(runtime: Runtime, details: dict) -> dict:
    session_id = str(uuid.uuid4())
    document = {"_id": session_id, **details, "status": "scheduled",
                "created_at": datetime.now(UTC)}
    payload = events.SessionScheduled().dump({"session_id": session_id, **{
        k: details[k] for k in ("series_id", "kind", "title", "starts_at", "ends_at",
                                "timezone", "capacity", "city")}})
    event = runtime.event(events.SESSION_SCHEDULED, session_id, payload)
    return runtime.insert(COLLECTION, document, [event])


def get(runtime: Runtime, session_id: str) -> dict | None:
    return runtime.db[COLLECTION].find_one({"_id": session_id}, {"outbox": 0})


def listing(runtime: Runtime, skip: int, limit: int) -> tuple[list[dict], int]:
    collection = runtime.db[COLLECTION]
    found = collection.find({}, {"outbox": 0}).sort("starts_at", ASCENDING).skip(skip)
    return list(found.limit(limit)), collection.count_documents({})


def ensure_indexes(runtime: Runtime) -> None:
    runtime.db[COLLECTION].create_index("starts_at")
    runtime.db[COLLECTION].create_index("outbox_pending")
