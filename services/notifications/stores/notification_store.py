"""Notifications as stored: one per (cause event, recipient, kind), whatever is redelivered."""

from collections.abc import Callable, Iterable
from datetime import datetime

from pymongo.errors import BulkWriteError

from common.persistence import by_id, claims
from common.runtime import Runtime
from services.notifications.domain import notification_rules as rules
from services.notifications.domain.errors import IllegalTransitionError, NotFoundError
from services.notifications.stores import due_store, feed_store, shown_notifications

COLLECTION = "notifications"
FILTER_WINDOW = 500  # the newest notifications a filter on status, kind or channel looks at
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
        """Number what is held; kept if that fails, for the retried handler or the next flush
        (numbered twice at worst, if the append was written and its mark was not)."""
        # A retried handler finds refused what its failed attempt created: numbered once.
        created = list(self.created.values())
        refused = [n for key, n in self.refused.items() if key not in self.created]
        if created or refused:
            _number(runtime, created, refused)
        self.created, self.refused = {}, {}

    def drop(self) -> None:
        """Its batch failed as a whole: redelivered, its notifications are refused as repeats
        and numbered then, by whichever worker handles them."""
        self.created, self.refused = {}, {}


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
    numbered = feed_store.record(runtime, created, stored_before, due_store.entries_of)
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


def shown(runtime: Runtime, notification_ids: Iterable[str]) -> list[dict]:
    """`each`, for a page of the feed: a final notification this process read before is
    shown from memory (`shown_notifications`)."""
    return shown_notifications.each(runtime.db[COLLECTION], notification_ids, {"outbox": 0})


def listing(runtime: Runtime, filters: dict, skip: int, limit: int) -> tuple[list[dict], int]:
    """One page of the feed, newest first, by any of its filters, and how many match."""
    found, total, _ = feed_page(runtime, filters, skip, limit)
    return found, total


def feed_page(runtime: Runtime, filters: dict, skip: int, limit: int
              ) -> tuple[list[dict], int, int | None]:
    """One page of the feed, newest first, how many match, and, when only the newest
    notifications were looked through (a filter on status, kind or channel alone), how many.

    By recipient or by session it reads that one's stream of the feed, else the stream of all
    notifications (`feed_store`); unfiltered, a page is its reads by `_id` at any size.
    """
    query = {k: v for k, v in filters.items() if v is not None}
    indexed = next((field for field in feed_store.INDEXED_BY if field in query), None)
    stream = feed_store.ALL if indexed is None else feed_store.stream_of(indexed,
                                                                         query.pop(indexed))
    if not query:
        ids, total = feed_store.newest(runtime, stream, skip, limit)
        return shown(runtime, ids), total, None
    if indexed is None:
        return _windowed(runtime, query, skip, limit)
    matching = _matching(runtime, feed_store.entries(runtime, stream), query)
    return matching[skip:skip + limit], len(matching), None


def _matching(runtime: Runtime, entries: list[dict], query: dict) -> list[dict]:
    """The notifications of these feed entries that match ``query``: on what the entry keeps
    first, then on the notification itself (its status, or what an older entry lacks)."""
    kept = [e for e in entries if all(e.get(field, value) == value
                                      for field, value in query.items()
                                      if field in feed_store.KEPT)]
    return [n for n in shown(runtime, [e["notification_id"] for e in kept])
            if all(n.get(field) == value for field, value in query.items())]


def _windowed(runtime: Runtime, query: dict, skip: int, limit: int
              ) -> tuple[list[dict], int, int]:
    """Filtered without a stream of its own: the newest FILTER_WINDOW notifications looked
    through, the total counted among them (said so by the third value, how many)."""
    entries, total = feed_store.newest_entries(runtime, feed_store.ALL, 0, FILTER_WINDOW)
    unique = list({e["notification_id"]: e for e in entries}.values())  # each once
    matching = _matching(runtime, unique, query)
    return matching[skip:skip + limit], len(matching), min(total, FILTER_WINDOW)


def summary(runtime: Runtime, newest: int) -> dict:
    """How many of the newest ``newest`` notifications are in each status, and how many
    there are in all: a cheap, honest view of what is left to send (reads by `_id`)."""
    entries, total = feed_store.newest_entries(runtime, feed_store.ALL, 0, newest)
    statuses = dict.fromkeys(rules.STATUSES, 0)
    ids = dict.fromkeys(e["notification_id"] for e in entries)
    for notification in shown_notifications.statuses(runtime.db[COLLECTION], ids):
        statuses[notification["status"]] += 1
    return {"statuses": statuses, "looked_through": len(ids), "notifications": total,
            "complete": len(entries) >= total}


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
    try:
        for notification in of_stream(runtime, field, value, where):
            if not (rules.cancellable(notification) and where(notification)):
                continue
            written = by_id.update_if(
                runtime.db[COLLECTION], notification["_id"], rules.cancellable,
                {"$set": {"status": "cancelled", "status_reason": reason, "finished_at": now}},
                {"status": 1})
            cancelled += written is not None
    finally:
        if cancelled:  # pages showing them from memory read them again
            shown_notifications.changed(runtime.db)
    return cancelled


def resend(runtime: Runtime, notification_id: str, now: datetime) -> dict:
    """Put a failed notification back in the queue with a fresh round of tries."""
    update = rules.resent(found(runtime, notification_id), now)
    # A failed one is final, so the sweeps may have passed its hour: numbered first where they
    # read it next (an entry whose notification stayed failed is passed over).
    due_store.record_at_once(runtime, notification_id, now)
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
    """Feed streams and due hours for notifications stored before they existed, once, and the
    stream of all notifications for those numbered before it existed (claimed by one process).

    Two processes starting together may both do the first: a notification then appears twice
    in its streams, which the readers of a page tolerate (it is shown once per entry).
    """
    marks = runtime.db["feed_heads"]
    if by_id.get(marks, "recorded-before-feed") is None:
        before = list(runtime.db[COLLECTION].find({}, {"outbox": 0, "attempts": 0}))
        numbered = feed_store.record(runtime, before, [], due_store.entries_of)
        feed_store.mark(runtime, numbered)
        claims.claim(marks, "recorded-before-all-stream", done=True)
        by_id.set_fields(marks, "recorded-before-feed", {"done": True}, upsert=True)
    elif claims.claim(marks, "recorded-before-all-stream", done=True):
        feed_store.record_in_all(runtime, list(runtime.db[COLLECTION].find(
            {}, {"outbox": 0, "attempts": 0})))
    due_store.move_old_hours(runtime)
