"""Reminders before a session starts: when each is due, and where it moves when the session does."""

from datetime import datetime, timedelta

from services.notifications.domain import notification_rules as kinds

DUE_PASSED = "due time had passed when it was scheduled"


def label(offset: timedelta) -> str:
    """`7d`, `36h`, `90m`: part of the reminder's kind, so each offset is its own notification."""
    seconds = int(offset.total_seconds())
    if seconds % 86400 == 0:
        return f"{seconds // 86400}d"
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    return f"{seconds // 60}m"


def timing(starts_at: datetime | None, offset_s: int, now: datetime) -> dict:
    """Due time and status of one reminder: one already due when scheduled is not sent."""
    if starts_at is None:  # the session is not known yet: timed when it is
        return {"due_at": None, "status": "scheduled", "status_reason": None}
    due_at = starts_at - timedelta(seconds=offset_s)
    if due_at <= now:
        return {"due_at": due_at, "status": "skipped", "status_reason": DUE_PASSED}
    return {"due_at": due_at, "status": "scheduled", "status_reason": None}


def planned(cause, recipient_id: str, session_id: str, session: dict | None,
            offsets: tuple[timedelta, ...], now: datetime) -> list[dict]:
    """One reminder per offset for someone taking part in a session, not yet stored."""
    starts_at = session["starts_at"] if session else None
    documents = []
    for offset in offsets:
        offset_s = int(offset.total_seconds())
        when = timing(starts_at, offset_s, now)
        documents.append(kinds.document(
            cause, recipient_id, f"{kinds.SESSION_REMINDER}_{label(offset)}",
            template=kinds.SESSION_REMINDER, session_id=session_id,
            due_at=when["due_at"], status=when["status"], offset_s=offset_s,
            status_reason=when["status_reason"], now=now))
    return documents


def waiting(notification: dict) -> bool:
    """A reminder that a move of its session may still retime."""
    return notification.get("template") == kinds.SESSION_REMINDER \
        and notification["status"] in ("scheduled", "skipped")


def retimed(reminder: dict, starts_at: datetime, now: datetime) -> dict | None:
    """The fields a reminder changes when its session starts at ``starts_at``, or None.

    A reminder skipped because its time had passed comes back if the session moved later; one
    skipped for another reason (no address, preferences) stays skipped.
    """
    if not waiting(reminder):
        return None
    if reminder["status"] == "skipped" and reminder.get("status_reason") != DUE_PASSED:
        return None
    when = timing(starts_at, reminder["offset_s"], now)
    if when["status"] == reminder["status"]:  # only the time moves: never touch the status
        when = {"due_at": when["due_at"]}
    return when
