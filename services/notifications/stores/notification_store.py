"""Notifications as stored: one per (cause event, recipient, kind), whatever is redelivered."""

from collections.abc import Callable, Iterable
from datetime import datetime

from pymongo import ASCENDING, DESCENDING
from pymongo.errors import BulkWriteError

from common.persistence import by_id
from common.runtime import Runtime
from services.notifications.domain import notification_rules as rules
from services.notifications.domain.errors import IllegalTransitionError, NotFoundError
from services.notifications.stores import due_store, feed_store

COLLECTION = "notifications"
DUPLICATE_KEY = 11000
OnCreated = Callable[[dict], None]


class Unnumbered:
    """Notifications stored but not yet numbered in their feed and due streams: a batch of
    events numbers all of its own together (one append per stream), once its handlers are done."""

    def __init__(self):
        self.created: dict[str, dict] = {}
        self.refused: dict[str, dict] = {}

    def add(self, created: list[dict], refused: list[dict]) -> None:
        self.created.update((n["_id"], n) for n in created)
        self.refused.update((n["_id"], n) for n in refused)

    def number(self, runtime: Runtime) -> None:
        # A retried handler finds refused what its failed attempt created: numbered once.
        created = list(self.created.values())
        refused = [n for key, n in self.refused.items() if key not in self.created]
        self.created, self.refused = {}, {}
        if created or refused:
            _number(runtime, created, refused)


def create_many(runtime: Runtime, documents: list[dict], on_created: OnCreated | None = None,
                unnumbered: Unnumbered | None = None) -> list[dict]:
    """Record several notifications in one insert; returns those their causes had not already
    produced (the unique index on cause, recipient and kind refuses a repeat), each handed to
    ``on_created`` (the worker's sender) once stored. With ``unnumbered``, they are numbered in
    their streams when it is told to, else at once."""
    if not documents:
        return []
    refused: set[int] = set()
    try:
        runtime.db[COLLECTION].insert_many(documents, ordered=False)
    except BulkWriteError as exc:
        errors = exc.details.get("writeErrors", [])
        if any(e.get("code") != DUPLICATE_KEY for e in errors):
            raise
        refused = {e["index"] for e in errors}
    created = [d for n, d in enumerate(documents) if n not in refused]
    if on_created is not None:  # first, so that sending starts before the streams are written
        for stored in created:
            on_created(stored)
    # A refused one was stored by an earlier delivery of its cause, which may have stopped
    # (an outage) before numbering it in its streams: numbered now if it is not.
    stored_before = [documents[n] for n in sorted(refused)]
    if unnumbered is not None:
        unnumbered.add(created, stored_before)
    else:
        _number(runtime, created, stored_before)
    return created


def _number(runtime: Runtime, created: list[dict], stored_before: list[dict]) -> None:
    numbered = feed_store.record(runtime, created, stored_before)
    due_store.record(runtime, numbered)
    feed_store.mark(runtime, numbered)


def get(runtime: Runtime, notification_id: str) -> dict | None:
    return by_id.get(runtime.db[COLLECTION], notification_id, {"outbox": 0})


def found(runtime: Runtime, notification_id: str) -> dict:
    """The notification, or NotFoundError."""
    notification = get(runtime, notification_id)
    if notification is None:
        raise NotFoundError(f"no notification with id {notification_id}")
    return notification


def each(runtime: Runtime, notification_ids: Iterable[str]) -> list[dict]:
    """The notifications of these ids that exist, in the order asked (one read by `_id` each)."""
    return by_id.get_each(runtime.db[COLLECTION], notification_ids, {"outbox": 0})


def listing(runtime: Runtime, filters: dict, skip: int, limit: int) -> tuple[list[dict], int]:
    """One page of the feed, newest first, by any of its filters, and how many match.

    By recipient or by session it reads that one's stream of the feed (`feed_store`); by
    status or kind alone it is a query over the whole collection.
    """
    query = {k: v for k, v in filters.items() if v is not None}
    indexed = next((field for field in feed_store.INDEXED_BY if field in query), None)
    if indexed is None:
        return _queried(runtime, query, skip, limit)
    stream = feed_store.stream_of(indexed, query.pop(indexed))
    if not query:
        ids, total = feed_store.newest(runtime, stream, skip, limit)
        return each(runtime, ids), total
    status = query.pop("status", None)
    ids = [e["notification_id"] for e in feed_store.entries(runtime, stream)
           if all(e.get(field) == value for field, value in query.items())]
    matching = [n for n in each(runtime, ids) if status is None or n["status"] == status]
    return matching[skip:skip + limit], len(matching)


def _queried(runtime: Runtime, query: dict, skip: int, limit: int) -> tuple[list[dict], int]:
    collection = runtime.db[COLLECTION]
    total = collection.count_documents(query)
    ordered = collection.find(query, {"outbox": 0}).sort([("created_at", DESCENDING),
                                                          ("_id", ASCENDING)])
    return list(ordered.skip(skip).limit(limit)), total


def of_stream(runtime: Runtime, field: str, value: str,
              where: Callable[[dict], bool] = lambda entry: True) -> list[dict]:
    """The notifications of one recipient's or one session's stream whose entry (recipient,
    session, kind, template) passes ``where``, newest first."""
    entries = feed_store.entries(runtime, feed_store.stream_of(field, value))
    return each(runtime, [e["notification_id"] for e in entries if where(e)])


def cancel_waiting(runtime: Runtime, field: str, value: str, reason: str, now: datetime,
                   where: Callable[[dict], bool] = lambda notification: True) -> int:
    """Cancel the notifications of one recipient or session that nobody has started sending;
    returns how many. ``where`` sees each feed entry (recipient, session, kind, template), then
    each notification it let through."""
    cancelled = 0
    for notification in of_stream(runtime, field, value, where):
        if not (rules.cancellable(notification) and where(notification)):
            continue
        written = by_id.update_if(
            runtime.db[COLLECTION], notification["_id"], rules.cancellable,
            {"$set": {"status": "cancelled", "status_reason": reason, "finished_at": now}},
            {"status": 1})
        cancelled += written is not None
    return cancelled


def resend(runtime: Runtime, notification_id: str, now: datetime) -> dict:
    """Put a failed notification back in the queue with a fresh round of tries."""
    update = rules.resent(found(runtime, notification_id), now)
    resent = runtime.update(COLLECTION, {"_id": notification_id, "status": "failed"}, update, [])
    if resent is None:  # resent by someone else meanwhile: refused, naming its status now
        rules.resent(found(runtime, notification_id), now)
        raise IllegalTransitionError(f"notification {notification_id} changed; try again")
    resent.pop("outbox", None)
    return resent


def ensure_indexes(runtime: Runtime) -> None:
    collection = runtime.db[COLLECTION]
    collection.create_index([("cause_event_id", 1), ("recipient_id", 1), ("kind", 1)],
                            unique=True)
    collection.create_index([("status", 1), ("due_at", 1)])
    collection.create_index("outbox_pending")
    _index_recorded_before(runtime)


def _index_recorded_before(runtime: Runtime) -> None:
    """Feed streams and due hours for notifications stored before they existed, once.

    Two processes starting together may both do it: a notification then appears twice in its
    streams, which the readers of a page tolerate (it is shown once per entry) until compacted.
    """
    marks = runtime.db["feed_heads"]
    if by_id.get(marks, "recorded-before-feed") is not None:
        return
    before = list(runtime.db[COLLECTION].find({}, {"outbox": 0, "attempts": 0}))
    numbered = feed_store.record(runtime, before, [])
    due_store.record(runtime, numbered)
    feed_store.mark(runtime, numbered)
    by_id.set_fields(marks, "recorded-before-feed", {"done": True}, upsert=True)
