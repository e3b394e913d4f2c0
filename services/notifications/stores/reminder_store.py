"""A session's reminders: moved when the session moves, cancelled when someone leaves it."""

from datetime import datetime

from common.persistence import by_id
from common.runtime import Runtime
from services.notifications.domain import reminder_rules
from services.notifications.domain.notification_rules import SESSION_REMINDER
from services.notifications.stores import due_store, notification_store, shown_notifications


def _reminder(entry: dict) -> bool:
    return entry["template"] == SESSION_REMINDER


def retime(runtime: Runtime, session: dict, now: datetime) -> int:
    """Move a session's waiting reminders to its current start; returns how many moved."""
    moved = []
    try:
        for reminder in notification_store.of_stream(runtime, "session_id", session["_id"],
                                                     _reminder):
            changes = reminder_rules.retimed(reminder, session["starts_at"], now)
            if changes is None:
                continue
            # Only if its status is still the one read: a reminder just claimed is left alone.
            if by_id.update_if(runtime.db[notification_store.COLLECTION], reminder["_id"],
                               lambda current, read=reminder["status"]: current["status"] == read,
                               {"$set": changes}, {"status": 1}) is not None:
                moved.append({**reminder, **changes})
    finally:
        if moved:  # pages showing them from memory read them again
            shown_notifications.changed(runtime.db)
    due_store.record(runtime, moved, now)
    return len(moved)


def cancel(runtime: Runtime, recipient_id: str, session_id: str, reason: str,
           now: datetime) -> int:
    """Cancel one participant's (or facilitator's) waiting reminders of a session."""
    return notification_store.cancel_waiting(
        runtime, "recipient_id", recipient_id, reason, now,
        lambda n: _reminder(n) and n["session_id"] == session_id)


def due(runtime: Runtime, since: datetime, until: datetime) -> list[dict]:
    """Reminders still scheduled and due between ``since`` and ``until``, oldest first: what
    the sender's sweep needs, read by the hour they fall due."""
    return due_store.due(runtime, notification_store.COLLECTION, since, until)
