"""Reminders before a session starts: stored with their due time, moved when the session moves."""

from datetime import datetime, timedelta

from common.envelope import Event
from common.runtime import Runtime
from services.notifications import notifications

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


def planned(cause: Event, participant_id: str, session_id: str, session: dict | None,
            offsets: tuple[timedelta, ...], now: datetime) -> list[dict]:
    """One reminder per offset for a participant confirmed in a session, not yet stored."""
    starts_at = session["starts_at"] if session else None
    documents = []
    for offset in offsets:
        offset_s = int(offset.total_seconds())
        when = timing(starts_at, offset_s, now)
        documents.append(notifications.document(
            cause, participant_id, f"{notifications.SESSION_REMINDER}_{label(offset)}",
            template=notifications.SESSION_REMINDER, session_id=session_id,
            due_at=when["due_at"], status=when["status"], offset_s=offset_s,
            status_reason=when["status_reason"], now=now))
    return documents


def retime(runtime: Runtime, session: dict, now: datetime) -> int:
    """Move a session's waiting reminders to its current start (also revives ones skipped as
    past if the session moved later); returns how many changed."""
    collection = runtime.db[notifications.COLLECTION]
    waiting = collection.find({"session_id": session["_id"],
                               "template": notifications.SESSION_REMINDER,
                               "status": {"$in": ["scheduled", "skipped"]}},
                              {"_id": 1, "status": 1, "status_reason": 1, "offset_s": 1})
    moved = 0
    for reminder in waiting:
        if reminder["status"] == "skipped" and reminder.get("status_reason") != DUE_PASSED:
            continue  # skipped for another reason (no address, preferences): stays skipped
        when = timing(session["starts_at"], reminder["offset_s"], now)
        if when["status"] == reminder["status"]:  # only the time moves: never touch the status
            when = {"due_at": when["due_at"]}
        # Guarded by the status read, so a reminder a worker has just claimed is left alone
        # (on MongoDB; FerretDB does not apply this guard atomically, see `claims`).
        result = collection.update_one({"_id": reminder["_id"], "status": reminder["status"]},
                                       {"$set": when})
        moved += result.modified_count
    return moved


def cancel(runtime: Runtime, query: dict, reason: str) -> int:
    """Cancel waiting reminders (of a session, or of one participant in it)."""
    return notifications.cancel_waiting(
        runtime, {**query, "template": notifications.SESSION_REMINDER}, reason)
