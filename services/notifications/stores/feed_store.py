"""The feed's index: each notification numbered in its recipient's stream and its session's,
so one page of a recipient's (or a session's) feed is a few reads by `_id`, whatever the size of
the notifications collection.

An entry keeps what never changes about its notification (recipient, session, kind, template);
the status is read from the notification itself. Entries are written after their notifications:
a worker that dies between the two leaves those notifications sent but out of this index (they
still show in the feed's other listings).
"""

from services.notifications.stores.stream_store import Streams

KEPT = ("recipient_id", "session_id", "kind", "template")
INDEXED_BY = ("recipient_id", "session_id")


def _streams(runtime) -> Streams:
    return Streams(runtime, "feed")


def stream_of(field: str, value: str) -> str:
    return f"{field.removesuffix('_id')}:{value}"


def record(runtime, created: list[dict]) -> None:
    """Number these new notifications in their recipient's and their session's streams."""
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


def newest(runtime, stream: str, skip: int, limit: int) -> tuple[list[str], int]:
    """The notification ids of one page of a stream, newest first, and the stream's length."""
    entries, total = _streams(runtime).newest_first(stream, skip, limit)
    return [e["notification_id"] for e in entries], total


def entries(runtime, stream: str) -> list[dict]:
    """Every entry of a stream, newest first."""
    return _streams(runtime).everything(stream)[::-1]
