"""A session's reminders: moved when the session moves, cancelled when someone leaves it."""

from datetime import datetime

from common.runtime import Runtime
from services.notifications.domain import reminder_rules
from services.notifications.domain.notification_rules import SESSION_REMINDER
from services.notifications.stores import notification_store


def retime(runtime: Runtime, session: dict, now: datetime) -> int:
    """Move a session's waiting reminders to its current start; returns how many changed."""
    collection = runtime.db[notification_store.COLLECTION]
    waiting = collection.find({"session_id": session["_id"], "template": SESSION_REMINDER,
                               "status": {"$in": ["scheduled", "skipped"]}},
                              {"_id": 1, "template": 1, "status": 1, "status_reason": 1,
                               "offset_s": 1})
    moved = 0
    for reminder in waiting:
        changes = reminder_rules.retimed(reminder, session["starts_at"], now)
        if changes is None:
            continue
        # Guarded by the status read, so a reminder a worker has just claimed is left alone.
        result = collection.update_one({"_id": reminder["_id"], "status": reminder["status"]},
                                       {"$set": changes})
        moved += result.modified_count
    return moved


def cancel(runtime: Runtime, query: dict, reason: str) -> int:
    """Cancel waiting reminders (of a session, or of one participant in it)."""
    return notification_store.cancel_waiting(runtime, {**query, "template": SESSION_REMINDER},
                                             reason)
