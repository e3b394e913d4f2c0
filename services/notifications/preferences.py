"""Preferences: a recipient may switch reminders off per channel; critical notices always go."""

from common.runtime import Runtime
from services.notifications import notifications, recipients

CHANNELS = ("email", "sms")
SWITCHED_OFF = "reminders switched off for this channel"


def of(recipient: dict) -> dict:
    """A recipient's preferences with defaults filled in (everything on)."""
    stored = (recipient.get("preferences") or {}).get("reminders") or {}
    return {"reminders": {channel: stored.get(channel, True) for channel in CHANNELS}}


def change(runtime: Runtime, recipient_id: str, reminders: dict[str, bool]) -> dict | None:
    """Set some channels' reminders on or off; None if no such recipient."""
    update = {f"preferences.reminders.{channel}": bool(on) for channel, on in reminders.items()}
    collection = runtime.db[recipients.COLLECTION]
    if update:
        collection.update_one({"_id": recipient_id}, {"$set": update})
    found = collection.find_one({"_id": recipient_id})
    return of(found) if found else None


def blocks(recipient: dict, notification: dict) -> str | None:
    """Why the recipient's preferences stop this notification, or None if it may go."""
    if notification["kind"] in notifications.CRITICAL:
        return None
    if notification.get("template") != notifications.SESSION_REMINDER:
        return None
    if not of(recipient)["reminders"].get(notification["channel"], True):
        return SWITCHED_OFF
    return None
