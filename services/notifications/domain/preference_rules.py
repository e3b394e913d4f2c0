"""Preferences: a recipient may switch reminders off per channel; critical notices always go."""

from services.notifications.domain.notification_rules import CRITICAL, SESSION_REMINDER

CHANNELS = ("email", "sms")
SWITCHED_OFF = "reminders switched off for this channel"


def of(recipient: dict) -> dict:
    """A recipient's preferences with defaults filled in (everything on)."""
    stored = (recipient.get("preferences") or {}).get("reminders") or {}
    return {"reminders": {channel: stored.get(channel, True) for channel in CHANNELS}}


def changes(reminders: dict[str, bool]) -> dict:
    """The fields that switch some channels' reminders on or off."""
    return {f"preferences.reminders.{channel}": bool(on) for channel, on in reminders.items()}


def blocks(recipient: dict, notification: dict) -> str | None:
    """Why the recipient's preferences stop this notification, or None if it may go."""
    if notification["kind"] in CRITICAL:
        return None
    if notification.get("template") != SESSION_REMINDER:
        return None
    if not of(recipient)["reminders"].get(notification["channel"], True):
        return SWITCHED_OFF
    return None
