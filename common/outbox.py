"""The atomic outbox: an aggregate's change and its events are written in one document update.

FerretDB has no multi-document transactions, so the events ride inside the aggregate's own
document (`outbox` array, `outbox_pending` flag). After the write they are published at once by
a background publisher; a relay sweeps what a crash left behind. An event leaves the outbox only
after the broker acknowledged it, so consumers may see an event twice but never lose one.
"""

import logging
import os
import queue
import threading
import time
from datetime import UTC, datetime, timedelta

from pymongo.collection import Collection
from pymongo.errors import PyMongoError

from common.envelope import Event
from common.producer import EventProducer

log = logging.getLogger(__name__)


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


def pending_events(document: dict) -> list[tuple[str, Event]]:
    """The (topic, event) pairs still waiting in a document's outbox, in order."""
    return [(e["topic"], Event.from_dict(e["event"])) for e in document.get("outbox", [])]


def mark_published(collection: Collection, doc_id, acknowledged: list[dict]) -> None:
    """Remove acknowledged entries; clear the flag only if nothing else arrived meanwhile.

    Entries are removed by exact value (`$pullAll` of the entries as read): FerretDB 1.24's
    `$pull` ignores conditions on sub-documents, and exact values also work on MongoDB.
    """
    if not acknowledged:
        return
    collection.update_one({"_id": doc_id}, {"$pullAll": {"outbox": acknowledged}})
    collection.update_one({"_id": doc_id, "outbox": []}, {"$set": {"outbox_pending": False}})


def ensure_indexes(collection: Collection) -> None:
    collection.create_index("outbox_pending")


def staged_entries(write: dict) -> list[dict]:
    """The outbox entries an `on_insert` document or an `on_update` update carries."""
    if "$push" in write:
        return write["$push"].get("outbox", {}).get("$each", [])
    return write.get("outbox", [])


def publish_entries(collection: Collection, producer: EventProducer, doc_id,
                    staged: list[dict]) -> int:
    """Publish entries just written, without reading them back; returns how many were acked.

    In the common case the outbox holds exactly these entries, and one update empties it.
    """
    acked = _publish_in_order(producer, staged)
    if not acked:
        return 0
    if len(acked) == len(staged):
        cleared = collection.update_one({"_id": doc_id, "outbox": staged},
                                        {"$set": {"outbox": [], "outbox_pending": False}})
        if cleared.matched_count:
            return len(acked)
    mark_published(collection, doc_id, acked)
    return len(acked)


def _publish_in_order(producer: EventProducer, waiting: list[dict]) -> list[dict]:
    """Publish one topic at a time in staging order; stop at the first unacknowledged event."""
    acked: list[dict] = []
    for topic in dict.fromkeys(e["topic"] for e in waiting):
        batch = [e for e in waiting if e["topic"] == topic]
        done = set(producer.publish(topic, [Event.from_dict(e["event"]) for e in batch]))
        acked.extend(e for e in batch if e["id"] in done)
        if len(done) < len(batch):
            break
    return acked


def publish_document(collection: Collection, producer: EventProducer, doc_id,
                     only: set[str] | None = None, older_than: datetime | None = None) -> int:
    """Publish what waits in one document's outbox; returns how many were acknowledged."""
    document = collection.find_one({"_id": doc_id}, {"outbox": 1})
    if not document:
        return 0
    waiting = [e for e in document.get("outbox", [])
               if (only is None or e["id"] in only)
               and (older_than is None or _aware(e["staged_at"]) <= older_than)]
    acked = _publish_in_order(producer, waiting)
    mark_published(collection, doc_id, acked)
    return len(acked)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class OutboxRelay:
    """Sweeps outboxes for events older than ``grace_s`` that nobody published."""

    def __init__(self, collections: list[Collection], producer: EventProducer,
                 grace_s: float = 5.0):
        self.collections = collections
        self.producer = producer
        self.grace_s = grace_s

    def sweep(self) -> int:
        """One pass over every outbox; returns the number of events published."""
        cutoff = datetime.now(UTC) - timedelta(seconds=self.grace_s)
        published = 0
        for collection in self.collections:
            for document in collection.find({"outbox_pending": True}, {"_id": 1}):
                published += publish_document(collection, self.producer, document["_id"],
                                              older_than=cutoff)
        if published:
            log.info("outbox relay published", extra={"count": published})
        return published

    def backlog(self) -> int:
        """Events waiting in every outbox."""
        return sum(len(d.get("outbox", [])) for c in self.collections
                   for d in c.find({"outbox_pending": True}, {"outbox": 1}))

    def run(self, stop: threading.Event, interval_s: float) -> None:
        while not stop.is_set():
            try:
                self.sweep()
            except PyMongoError as exc:
                log.warning("outbox relay: database unavailable", extra={"error": repr(exc)})
            except Exception:
                log.exception("outbox relay failed; will retry")
            stop.wait(interval_s)


class Publisher:
    """Publishes freshly written outbox events from a background thread of this process."""

    def __init__(self, producer: EventProducer):
        self.producer = producer
        self._queue: queue.Queue = queue.Queue(maxsize=10000)
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._lock = threading.Lock()

    def publish_soon(self, collection: Collection, doc_id, staged: list[dict]) -> None:
        """Queue a publish of entries just written; if the queue is full, the relay will."""
        self._ensure_thread()
        try:
            self._queue.put_nowait((collection, doc_id, staged))
        except queue.Full:
            log.warning("publisher queue full; leaving events to the relay")

    def publish_now(self, collection: Collection, doc_id, staged: list[dict]) -> int:
        return publish_entries(collection, self.producer, doc_id, staged)

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
            collection, doc_id, staged = self._queue.get()
            try:
                publish_entries(collection, self.producer, doc_id, staged)
            except Exception as exc:  # the relay will publish them later
                log.warning("prompt publish failed; relay will retry", extra={"error": repr(exc)})
            finally:
                self._queue.task_done()
