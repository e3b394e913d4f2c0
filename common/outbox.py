"""The atomic outbox: an aggregate's change and its events are written in one document write.

FerretDB has no multi-document transactions, so the events ride inside the aggregate's own
document (`outbox` array, `outbox_pending` flag). After the write a background publisher sends
them at once; a relay sweeps what a crash or an outage left behind.

FerretDB 1.24 applies every update as an unisolated read-modify-write of the whole document, so a
second writer touching the aggregate could undo a concurrent business write. The publisher
therefore never writes the aggregate: an acknowledged event is recorded by inserting its id into
`outbox_published` (an insert against a unique key is the one atomic step FerretDB offers). Only
the relay empties an outbox, once every entry is recorded and the document has been quiet for a
while. An entry is never removed before the broker acknowledged it: consumers may see an event
twice, never lose one.
"""

import logging
import os
import queue
import threading
import time
from datetime import UTC, datetime, timedelta

from pymongo.collection import Collection
from pymongo.errors import BulkWriteError, PyMongoError

from common.envelope import Event
from common.producer import EventProducer

log = logging.getLogger(__name__)

MARKERS = "outbox_published"


def entries(topic: str, events: list[Event]) -> list[dict]:
    """Outbox entries for ``events`` bound for ``topic``."""
    now = datetime.now(UTC)
    # Milliseconds, as BSON stores them, so an entry compares equal to its stored copy.
    staged = now.replace(microsecond=now.microsecond // 1000 * 1000)
    return [{"id": e.id, "topic": topic, "staged_at": staged, "event": e.to_dict()}
            for e in events]


def on_insert(document: dict, topic: str, events: list[Event]) -> dict:
    """A new aggregate document carrying its first events."""
    return {**document, "outbox": entries(topic, events), "outbox_pending": bool(events)}


def on_update(update: dict, topic: str, events: list[Event]) -> dict:
    """Add ``events`` to a MongoDB update document, so they are written with the change."""
    merged = {op: dict(fields) for op, fields in update.items()}
    merged.setdefault("$push", {})["outbox"] = {"$each": entries(topic, events)}
    merged.setdefault("$set", {})["outbox_pending"] = True
    return merged


def published_ids(collection: Collection, ids: list[str]) -> set[str]:
    """Which of ``ids`` the broker has acknowledged (recorded in `outbox_published`)."""
    if not ids:
        return set()
    markers = collection.database[MARKERS]
    return {m["_id"] for m in markers.find({"_id": {"$in": ids}}, {"_id": 1})}


def record_published(collection: Collection, ids: list[str]) -> None:
    if not ids:
        return
    now = datetime.now(UTC)
    try:
        collection.database[MARKERS].insert_many([{"_id": i, "at": now} for i in ids],
                                                 ordered=False)
    except BulkWriteError:
        pass  # already recorded by another publisher: the event went out at least once


def publish_unrecorded(collection: Collection, producer: EventProducer, outbox: list[dict],
                       older_than: datetime | None = None,
                       known: set[str] | None = None) -> set[str]:
    """Publish, in order, the entries not yet acknowledged; returns every acknowledged id."""
    if known is None:
        known = published_ids(collection, [e["id"] for e in outbox])
    waiting = [e for e in outbox if e["id"] not in known
               and (older_than is None or _aware(e["staged_at"]) <= older_than)]
    acked = _publish_in_order(producer, waiting)
    record_published(collection, acked)
    return known | set(acked)


def _publish_in_order(producer: EventProducer, waiting: list[dict]) -> list[str]:
    """Publish one topic at a time in staging order; stop at the first unacknowledged event."""
    acked: list[str] = []
    for topic in dict.fromkeys(e["topic"] for e in waiting):
        batch = [e for e in waiting if e["topic"] == topic]
        done = producer.publish(topic, [Event.from_dict(e["event"]) for e in batch])
        acked.extend(done)
        if len(done) < len(batch):
            break
    return acked


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class OutboxRelay:
    """Publishes entries older than ``grace_s`` that nobody published, and empties outboxes
    whose entries are all acknowledged once the document has been quiet for ``quiet_s``.

    Emptying is the one write the relay makes to an aggregate. On FerretDB it could still undo a
    business write landing in the same few milliseconds, so it waits until the document has
    been quiet for a long while (a minute by default): documents being worked on are left alone.
    """

    def __init__(self, collections: list[Collection], producer: EventProducer,
                 grace_s: float = 5.0, quiet_s: float = 60.0):
        self.collections = collections
        self.producer = producer
        self.grace_s = grace_s
        self.quiet_s = quiet_s

    def sweep(self) -> int:
        """One pass over every outbox; returns the number of events it published."""
        now = datetime.now(UTC)
        cutoff, quiet = now - timedelta(seconds=self.grace_s), now - timedelta(seconds=self.quiet_s)
        published = 0
        for collection in self.collections:
            for document in collection.find({"outbox_pending": True}, {"outbox": 1}):
                outbox = document.get("outbox", [])
                known = published_ids(collection, [e["id"] for e in outbox])
                done = publish_unrecorded(collection, self.producer, outbox, cutoff, known)
                published += len(done) - len(known)
                if len(done) == len(outbox) and all(_aware(e["staged_at"]) <= quiet
                                                    for e in outbox):
                    self._empty(collection, document["_id"], outbox)
        if published:
            log.info("outbox relay published", extra={"count": published})
        return published

    @staticmethod
    def _empty(collection: Collection, doc_id, outbox: list[dict]) -> None:
        emptied = collection.update_one({"_id": doc_id, "outbox": outbox},
                                        {"$set": {"outbox": [], "outbox_pending": False}})
        if emptied.modified_count and outbox:
            collection.database[MARKERS].delete_many({"_id": {"$in": [e["id"] for e in outbox]}})

    def backlog(self) -> int:
        """Events waiting to be acknowledged, in every outbox."""
        return sum(outbox_backlog_of(c) for c in self.collections)

    def run(self, stop: threading.Event, interval_s: float) -> None:
        while not stop.is_set():
            try:
                self.sweep()
            except PyMongoError as exc:
                log.warning("outbox relay: database unavailable", extra={"error": repr(exc)})
            except Exception:
                log.exception("outbox relay failed; will retry")
            stop.wait(interval_s)


def outbox_backlog_of(collection: Collection) -> int:
    """Entries of ``collection``'s outboxes that the broker has not acknowledged yet."""
    waiting = 0
    for document in collection.find({"outbox_pending": True}, {"outbox": 1}):
        ids = [e["id"] for e in document.get("outbox", [])]
        waiting += len(ids) - len(published_ids(collection, ids))
    return waiting


class Publisher:
    """Publishes freshly written outbox events from a background thread of this process."""

    def __init__(self, producer: EventProducer):
        self.producer = producer
        self._queue: queue.Queue = queue.Queue(maxsize=10000)
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._lock = threading.Lock()

    def publish_soon(self, collection: Collection, outbox: list[dict],
                     fresh_only: bool = False) -> None:
        """Queue the publish of a document's outbox as a write left it.

        ``fresh_only``: every entry was just written (an insert), so none can be recorded yet.
        If the queue is full, the relay's sweep publishes them.
        """
        self._ensure_thread()
        try:
            self._queue.put_nowait((collection, outbox, fresh_only))
        except queue.Full:
            log.warning("publisher queue full; leaving events to the relay")

    def publish_now(self, collection: Collection, outbox: list[dict],
                    fresh_only: bool = False) -> set[str]:
        return publish_unrecorded(collection, self.producer, outbox,
                                  known=set() if fresh_only else None)

    def drain(self, timeout_s: float = 10.0) -> None:
        """Wait until queued publishes are done (at shutdown)."""
        deadline = time.monotonic() + timeout_s
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.05)

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                self._queue = queue.Queue(maxsize=10000)
                self._thread = threading.Thread(target=self._loop, name="outbox-publisher",
                                                daemon=True)
                self._pid = os.getpid()
                self._thread.start()

    def _loop(self) -> None:
        while True:
            collection, outbox, fresh_only = self._queue.get()
            try:
                self.publish_now(collection, outbox, fresh_only)
            except Exception as exc:  # the relay will publish them later
                log.warning("prompt publish failed; relay will retry", extra={"error": repr(exc)})
            finally:
                self._queue.task_done()
