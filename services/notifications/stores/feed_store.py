"""The feed's index: each notification numbered in the stream of all notifications, its
recipient's and its session's, so one page of the feed (everyone's, a recipient's or a
session's) is a few reads by `_id`, whatever the size of the notifications collection.

An entry keeps what never changes about its notification (recipient, session, kind, template);
the status is read from the notification itself. Entries are written after their notifications,
then a mark per notification says it is numbered: a cause delivered again after an outage
numbers what the first delivery stored but did not number (a worker killed between an append and
its mark numbers it twice; a page shows it once).
"""

from collections.abc import Callable

from pymongo.errors import BulkWriteError

from common.persistence import by_id
from services.notifications.stores.stream_store import Streams

KEPT = ("recipient_id", "session_id", "kind", "template", "channel")
INDEXED_BY = ("recipient_id", "session_id")
ALL = "all"


def _streams(runtime) -> Streams:
    return Streams(runtime, "feed")


def stream_of(field: str, value: str) -> str:
    return f"{field.removesuffix('_id')}:{value}"


def _ordered(notifications: list[dict]) -> list[dict]:
    """Oldest first, and within one instant by `_id` descending: read newest first, a page is
    in the order the feed has always shown (created_at descending, then `_id`)."""
    return sorted(sorted(notifications, key=lambda n: n["_id"], reverse=True),
                  key=lambda n: n["created_at"])


def _entry(notification: dict) -> dict:
    return {"notification_id": notification["_id"],
            **{name: notification.get(name) for name in KEPT}}


def record(runtime, created: list[dict], stored_before: list[dict],
           also: Callable[[dict], list[tuple[str, dict]]] = lambda n: []) -> list[dict]:
    """Number the new notifications, and those ``stored_before`` that are not numbered yet,
    in the stream of all, their recipient's, their session's and the streams ``also`` names
    (one insert for all); returns those numbered now."""
    marks = runtime.db["feed_marks"]
    created = created + [n for n in stored_before if by_id.get(marks, n["_id"]) is None]
    appended = []
    for notification in _ordered(created):
        entry = _entry(notification)
        appended.append((ALL, entry))
        appended += [(stream_of(field, notification[field]), entry)
                     for field in INDEXED_BY if notification.get(field)]
        appended += also(notification)
    _streams(runtime).append_many(appended)
    return created


def record_in_all(runtime, notifications: list[dict]) -> None:
    """Number in the stream of all notifications those stored before it existed."""
    _streams(runtime).append_many((ALL, _entry(n)) for n in _ordered(notifications))


def mark(runtime, numbered: list[dict]) -> None:
    """Remember that these notifications are numbered in their streams."""
    if not numbered:
        return
    try:
        runtime.db["feed_marks"].insert_many([{"_id": n["_id"]} for n in numbered],
                                             ordered=False)
    except BulkWriteError as exc:  # marked by another delivery meanwhile: marked all the same
        if any(e.get("code") != 11000 for e in exc.details.get("writeErrors", [])):
            raise


def newest(runtime, stream: str, skip: int, limit: int) -> tuple[list[str], int]:
    """The notification ids of one page of a stream, newest first, and the stream's length."""
    entries, total = _streams(runtime).newest_first(stream, skip, limit)
    return list(dict.fromkeys(e["notification_id"] for e in entries)), total


def newest_entries(runtime, stream: str, skip: int, limit: int) -> tuple[list[dict], int]:
    """The entries of one page of a stream, newest first, and the stream's length."""
    return _streams(runtime).newest_first(stream, skip, limit)


def entries(runtime, stream: str) -> list[dict]:
    """Every entry of a stream, newest first, each notification once."""
    kept = {e["notification_id"]: e for e in reversed(_streams(runtime).everything(stream))}
    return list(kept.values())
