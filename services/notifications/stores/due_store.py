"""Reminders by the hour they fall due: the sender's sweep reads the hours that have come,
not every notification (one numbered stream per hour, see `stream_store`).

A reminder moved to another time is numbered again in its new hour; the entry left in the old
hour is passed over by its reader, who checks each reminder's current time and status.
"""

from datetime import UTC, datetime, timedelta

from common.persistence import by_id
from common.runtime import Runtime
from services.notifications.stores.stream_store import Streams

HOUR = timedelta(hours=1)


def _streams(runtime: Runtime) -> Streams:
    return Streams(runtime, "due")


def hour_of(moment: datetime) -> str:
    return f"due:{moment.astimezone(UTC):%Y%m%d%H}"


def record(runtime: Runtime, notifications: list[dict]) -> None:
    """Number the scheduled ones (those with a time) in the hour each falls due."""
    _streams(runtime).append_many(
        (hour_of(n["due_at"]), {"notification_id": n["_id"]}) for n in notifications
        if n.get("status") == "scheduled" and n.get("due_at") is not None)


def due(runtime: Runtime, collection: str, since: datetime, until: datetime) -> list[dict]:
    """The reminders still scheduled and due between ``since`` and ``until``, oldest first."""
    streams, hour, ids = _streams(runtime), since.astimezone(UTC), []
    while hour_of(hour) <= hour_of(until):
        ids += [e["notification_id"] for e in streams.everything(hour_of(hour))]
        hour += HOUR
    found = by_id.get_each(runtime.db[collection], dict.fromkeys(ids), {"outbox": 0})
    return sorted((n for n in found if n["status"] == "scheduled" and n.get("due_at")
                   and since <= n["due_at"] <= until), key=lambda n: (n["due_at"], n["_id"]))
