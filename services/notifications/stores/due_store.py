"""Notifications by the hour they fall due: the sender's sweep reads the hours that have come,
not every notification (one numbered stream per hour, see `stream_store`).

Every notification that waits to be sent (pending, or a reminder scheduled for its time) is
numbered in the hour it falls due, or the hour it was numbered in if that is later (one stored
late, after an outage, is still found by a sweep that has moved on). So is one stored already
claimed by the worker that planned it (`claim_store.at_birth`: `sending` from its insert): if
that worker dies, a sweep must find it to take it over, and nothing else would tell the sweep.
A resent one is numbered in the stream of those due at once (`AT_ONCE`), which the API's clock
does not decide. The hours live beside the feed's streams, so a batch numbers its
notifications in both with one insert. A notification moved to another time is numbered again
in its new hour; the entry left in the old hour is passed over by its reader, who checks each
notification's current time and status.
"""

from datetime import UTC, datetime, timedelta

from common.persistence import by_id, claims
from common.runtime import Runtime
from services.notifications.stores.stream_store import Streams

HOUR = timedelta(hours=1)
# Numbered when stored: waiting to be sent, or born claimed (`sending`, its planner may die).
NUMBERED = ("pending", "scheduled", "sending")
# Numbered by another process than the sweeps, whose clock may differ: due at once, read in
# order by every sweep whatever the hour (a failed notification resent from the API).
AT_ONCE = "due:at-once"


def _streams(runtime: Runtime) -> Streams:
    return Streams(runtime, "feed")


def hour_of(moment: datetime) -> str:
    return f"due:{moment.astimezone(UTC):%Y%m%d%H}"


def entries_of(notification: dict, now: datetime | None = None) -> list[tuple[str, dict]]:
    """Its (hour, entry) if it waits to be sent or was born claimed: numbered in the hour it
    falls due, or in the hour of ``now`` (default: its creation) if that is later."""
    if notification.get("status") not in NUMBERED or notification.get("due_at") is None:
        return []
    due_at = notification["due_at"]
    numbered_at = max(due_at, now or notification.get("created_at") or due_at)
    return [(hour_of(numbered_at), {"notification_id": notification["_id"], "due_at": due_at,
                                    "status": notification["status"]})]


def record(runtime: Runtime, notifications: list[dict], now: datetime | None = None) -> None:
    """Number those that wait to be sent in their hours (one insert)."""
    _streams(runtime).append_many(e for n in notifications for e in entries_of(n, now))


def record_at_once(runtime: Runtime, notification_id: str, now: datetime) -> None:
    """Number a notification to be sent at once where every sweep reads it next."""
    _streams(runtime).append_many([(AT_ONCE, {"notification_id": notification_id,
                                              "due_at": now, "status": "pending"})])


def record_waiting(runtime: Runtime, notifications: list[dict]) -> None:
    """Number among those due at once notifications that wait but were never numbered in an
    hour (stored before the hours held every waiting one)."""
    _streams(runtime).append_many(
        (AT_ONCE, {"notification_id": n["_id"], "due_at": n.get("due_at"),
                   "status": n["status"]}) for n in notifications)


def following(runtime: Runtime, hour: str, start: int) -> tuple[int, list[dict]]:
    """The entries of one hour from number ``start`` on, and where the hour ends."""
    return _streams(runtime).following(hour, start)


def due(runtime: Runtime, collection: str, since: datetime, until: datetime) -> list[dict]:
    """The reminders still scheduled and due between ``since`` and ``until``, oldest first."""
    streams, hour, ids = _streams(runtime), since.astimezone(UTC), []
    while hour_of(hour) <= hour_of(until):
        ids += [e["notification_id"] for e in streams.everything(hour_of(hour))]
        hour += HOUR
    found = by_id.get_each(runtime.db[collection], dict.fromkeys(ids), {"outbox": 0})
    return sorted((n for n in found if n["status"] == "scheduled" and n.get("due_at")
                   and since <= n["due_at"] <= until), key=lambda n: (n["due_at"], n["_id"]))


def move_old_hours(runtime: Runtime) -> None:
    """The hours kept in their own collection before they moved beside the feed, moved once
    (claimed by one process)."""
    old = runtime.db["due_entries"]
    if not claims.claim(runtime.db["feed_heads"], "due-hours-moved", done=True):
        return
    moved = sorted(old.find({}), key=lambda e: e["_id"])
    _streams(runtime).append_many(
        (e["_id"].rsplit(":", 1)[0], {k: v for k, v in e.items() if k != "_id"})
        for e in moved if not e["_id"].endswith(":end"))
