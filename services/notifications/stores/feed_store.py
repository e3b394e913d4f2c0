"""The feed's index: each notification numbered in its recipient's stream and its session's,
so one page of a recipient's (or a session's) feed is a few reads by `_id`, whatever the size of
the notifications collection.

An entry keeps what never changes about its notification (recipient, session, kind, template);
the status is read from the notification itself. Entries are written after their notifications,
then a mark per notification says it is numbered: a cause delivered again after an outage
numbers what the first delivery stored but did not number (a worker killed between an append and
its mark numbers it twice; a page shows it once).
"""

from pymongo.errors import BulkWriteError

from common.persistence import by_id
from services.notifications.stores.stream_store import Streams

KEPT = ("recipient_id", "session_id", "kind", "template")
INDEXED_BY = ("recipient_id", "session_id")


def _streams(runtime) -> Streams:
    return Streams(runtime, "feed")


def stream_of(field: str, value: str) -> str:
    return f"{field.removesuffix('_id')}:{value}"


def record(runtime, created: list[dict], stored_before: list[dict]) -> list[dict]:
    """Number the new notifications, and those ``stored_before`` that are not numbered yet,
    in their recipient's and their session's streams; returns those numbered now."""
    marks = runtime.db["feed_marks"]
    created = created + [n for n in stored_before if by_id.get(marks, n["_id"]) is None]
    # Oldest first, and within one instant by `_id` descending: read newest first, a page is
    # in the order the feed has always shown (created_at descending, then `_id`).
    ordered = sorted(sorted(created, key=lambda n: n["_id"], reverse=True),
                     key=lambda n: n["created_at"])
    appended = []
    for notification in ordered:
        entry = {"notification_id": notification["_id"],
                 **{name: notification.get(name) for name in KEPT}}
        appended += [(stream_of(field, notification[field]), entry)
                     for field in INDEXED_BY if notification.get(field)]
    _streams(runtime).append_many(appended)
    return created


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


def entries(runtime, stream: str) -> list[dict]:
    """Every entry of a stream, newest first, each notification once."""
    kept = {e["notification_id"]: e for e in reversed(_streams(runtime).everything(stream))}
    return list(kept.values())
