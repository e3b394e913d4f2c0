"""Delivery decisions: whether a candidate may be taken, and what follows a channel's answer.

Pure: the caller passes the clock's reading, the settings and what it read.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from common.backoff import backoff_delay
from common.config import NotificationSettings
from services.notifications.domain import preference_rules as preferences

SENT, RETRY, FAILED = "sent", "pending", "failed"


@dataclass(frozen=True)
class Decision:
    """After a try: ``status`` sent, pending again at ``retry_at``, or failed (given up)."""

    status: str
    retry_at: datetime | None = None


def skip_reason(recipient: dict | None, channel, notification: dict) -> str | None:
    """Why this notification is not sent at all (recorded as skipped), or None."""
    if channel is None:
        return f"no channel {notification['channel']}"
    if recipient is None or not recipient.get(channel.address_field):
        return f"recipient has no {channel.address_field} address"
    return preferences.blocks(recipient, notification)


def after_attempt(ok: bool, tries: int, config: NotificationSettings,
                  now: datetime) -> tuple[str, datetime | None]:
    """Status after try number ``tries``: sent, pending again after a backoff, or failed."""
    decision = decide(ok, tries, config, now)
    return decision.status, decision.retry_at


def decide(ok: bool, tries: int, config: NotificationSettings, now: datetime) -> Decision:
    if ok:
        return Decision(SENT)
    if tries >= config.max_attempts:
        return Decision(FAILED)
    return Decision(RETRY, now + timedelta(seconds=backoff_delay(
        tries, config.backoff_s, config.backoff_cap_s)))


def wait_until(waits: int, config: NotificationSettings, now: datetime) -> datetime:
    """When a notification waiting for its recipient's contact (wait number ``waits``) is
    tried again: an outage of the contact's owner delays it, never uses up a try."""
    return now + timedelta(seconds=backoff_delay(waits, config.backoff_s, config.backoff_cap_s))


def takeable(notification: dict, now: datetime, holder_dead: bool) -> bool:
    """Not being sent, or its lease ran out, or its holder died (a live one keeps it)."""
    return notification["status"] != "sending" or notification["claimed_until"] <= now \
        or holder_dead


def claim_round(candidate: dict) -> int:
    """The round (generation) to claim: the next one if its sender's lease ran out."""
    generation = candidate.get("generation", 0)
    return generation + 1 if candidate["status"] == "sending" else generation


def unchanged(current: dict | None, candidate: dict, now: datetime) -> bool:
    """The notification as it is now is still the candidate that was offered: not cancelled,
    sent or moved later while it waited in a queue."""
    if current is None or current["status"] != candidate["status"] \
            or current.get("generation", 0) != candidate.get("generation", 0):
        return False
    return current["status"] == "sending" or (current.get("due_at") is not None
                                             and current["due_at"] <= now)


def surely_ours(claimed_until: datetime, lease_s: float, now: datetime) -> bool:
    """Within the first half of its lease nobody else can hold a claim (only a dead holder's
    claim is taken early, and the dead write nothing): no need to look before writing."""
    return claimed_until - timedelta(seconds=lease_s / 2) > now
