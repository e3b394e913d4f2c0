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

import atexit
import logging
import os
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import NamedTuple

from pymongo.collection import Collection
from pymongo.errors import BulkWriteError

from common import outbox_acknowledged, outbox_processes
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


# Up to this many ids are looked up one by one, by `_id`: on FerretDB an `$in` reads every
# marker, so a publisher checking the few older entries of an outbox would pay for all of them.
ONE_BY_ONE = 8


def published_ids(collection: Collection, ids: list[str], chunk: int = 500) -> set[str]:
    """Which of ``ids`` the broker has acknowledged (recorded in `outbox_published`).

    A few are looked up by `_id`; more, one query per ``chunk`` ids: on FerretDB every such
    query reads the whole marker collection, so the relay asks once for a whole sweep rather
    than once per document.
    """
    markers = collection.database[MARKERS]
    if len(ids) <= ONE_BY_ONE:
        return {i for i in ids if markers.find_one({"_id": i}, {"_id": 1}) is not None}
    found: set[str] = set()
    for start in range(0, len(ids), chunk):
        part = ids[start:start + chunk]
        found |= {m["_id"] for m in markers.find({"_id": {"$in": part}}, {"_id": 1})}
    return found


def record_published(collection: Collection, ids: list[str], doc_id: object = None) -> None:
    """Insert the markers of ``ids``; with ``doc_id``, the one document whose outbox holds
    them, also a record in the log of acknowledgements (`outbox_acknowledged`)."""
    if not ids:
        return
    now = datetime.now(UTC)
    try:
        collection.database[MARKERS].insert_many([{"_id": i, "at": now} for i in ids],
                                                 ordered=False)
    except BulkWriteError:
        pass  # already recorded by another publisher: the event went out at least once
    if doc_id is not None:
        _append_acknowledged(collection.database, [(collection.name, doc_id, ids)], now)


def _append_acknowledged(database, acked: list[tuple[str, object, list[str]]],
                         at: datetime) -> None:
    """After the markers: the relay reading the record checks them. Not recorded, those
    outboxes wait for a full sweep, which the relays are asked for."""
    try:
        outbox_acknowledged.append(database, acked, at)
    except Exception as exc:
        log.warning("acknowledgements not logged", extra={"error": repr(exc)})
        outbox_processes.ask_for_sweep(database)


def publish_unrecorded(collection: Collection, producer: EventProducer, outbox: list[dict],
                       older_than: datetime | None = None,
                       known: set[str] | None = None, doc_id: object = None) -> set[str]:
    """Publish, in order, the entries not yet acknowledged; returns every acknowledged id.
    ``doc_id``: the document holding ``outbox``, to log the acknowledgements for the relay."""
    if known is None:
        known = published_ids(collection, [e["id"] for e in outbox])
    waiting = [e for e in outbox if e["id"] not in known
               and (older_than is None or _aware(e["staged_at"]) <= older_than)]
    acked = _publish_in_order(producer, waiting)
    record_published(collection, acked, doc_id)
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


class Publisher:
    """Publishes freshly written outbox events from a background thread of this process.

    What queued up while the broker answered goes out together: one produce round trip per
    topic for the whole batch. The acknowledgement markers are inserted together too, at most
    ``RECORD_EVERY_S`` after the first of them (one insert per database for every write of that
    time, not one per write): until then only the relay, which waits ``grace_s`` (seconds)
    before it publishes anything, could send an event again, and a consumer skips a repeat.
    Entries this process saw acknowledged are remembered, so only the others are looked up.
    """

    BATCH = 500
    REMEMBERED = 20000
    RECORD_EVERY_S = 0.25

    def __init__(self, producer: EventProducer, beat_s: float = 10.0):
        self.producer = producer
        # This process in the registry of outbox writers: the relays sweep when it died.
        self.processes = outbox_processes.Registration(beat_s)
        self._exit_hooked: int | None = None
        self._queue: queue.Queue = queue.Queue(maxsize=10000)
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._lock = threading.Lock()
        self._acked: OrderedDict[str, None] = OrderedDict()
        # Acknowledged, not yet recorded: event id -> (collection name, document `_id`).
        self._doc_of: dict[str, tuple[str, object]] = {}

    def register(self, database) -> None:
        """Before an outbox write to ``database``: the relays must know this process writes
        there, so they sweep if it dies before it sent what it wrote (see `outbox_processes`).
        A clean exit of the interpreter (a gunicorn worker's, a worker's) leaves clean."""
        self.processes.register(database)
        self._ensure_thread()  # it beats
        if self._exit_hooked != os.getpid():
            self._exit_hooked = os.getpid()
            atexit.register(self.close)

    def close(self, timeout_s: float = 10.0) -> None:
        """At a clean stop: wait for what is queued, then, if nothing is left unsent, leave the
        registry so no relay sweeps for this process."""
        self.drain(timeout_s)
        if self._queue.unfinished_tasks == 0:
            self.processes.leave(outbox_processes.unasked())

    def publish_soon(self, collection: Collection, outbox: list[dict],
                     fresh_ids: Iterable[str] = (), doc_id: object = None) -> None:
        """Queue the publish of a document's outbox as a write left it.

        ``fresh_ids``: the entries this write added, which nobody can have recorded yet.
        ``doc_id``: the document's `_id`, logged with the acknowledgements so the relay can
        empty the outbox reading it by `_id` (without it, only a full sweep empties it).
        If the queue is full, the relay's sweep publishes them.
        """
        self._ensure_thread()
        try:
            self._queue.put_nowait(_Written(collection, outbox, frozenset(fresh_ids), doc_id))
        except queue.Full:
            log.warning("publisher queue full; leaving events to the relay")
            outbox_processes.ask_for_sweep(collection.database)

    def publish_batch(self, items: list["_Written"]) -> set[str]:
        """Publish, in order, what the queued writes left unpublished, and record it; returns
        the acked ids."""
        acked = self._publish(items)
        _record(acked, self._doc_of)
        return {event_id for ids in acked.values() for event_id in ids[1]}

    def _publish(self, items: list["_Written"]
                 ) -> dict[str, tuple[Collection, list[str]]]:
        """Publish what the queued writes left unpublished; the acked ids, per database."""
        waiting: dict[str, tuple[Collection, dict, object]] = {}
        for collection, outbox, fresh, doc_id in items:
            unsure = [e["id"] for e in outbox
                      if e["id"] not in fresh and e["id"] not in self._acked
                      and e["id"] not in waiting]
            known = published_ids(collection, unsure) if unsure else set()
            for entry in outbox:
                if entry["id"] not in known and entry["id"] not in self._acked:
                    waiting.setdefault(entry["id"], (collection, entry, doc_id))
        acked = _publish_in_order(self.producer, [entry for _, entry, _ in waiting.values()])
        by_database: dict[str, tuple[Collection, list[str]]] = {}
        for event_id in acked:
            collection, _, doc_id = waiting[event_id]
            by_database.setdefault(collection.database.name, (collection, []))[1].append(event_id)
            if doc_id is not None:
                self._doc_of[event_id] = (collection.name, doc_id)
        if len(self._doc_of) > self.REMEMBERED:  # left by a record that failed: a sweep's work
            self._doc_of.clear()
        self._remember(acked)
        if len(acked) < len(waiting):  # the broker refused or did not answer: the relay's turn
            _ask_relays(collection for collection, _, _ in waiting.values())
        return by_database

    def _remember(self, ids: list[str]) -> None:
        for event_id in ids:
            self._acked[event_id] = None
        while len(self._acked) > self.REMEMBERED:
            self._acked.popitem(last=False)

    def drain(self, timeout_s: float = 10.0) -> None:
        """Wait until queued publishes are done and recorded (at shutdown)."""
        deadline = time.monotonic() + timeout_s
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.05)

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                self._queue = queue.Queue(maxsize=10000)
                self._acked = OrderedDict()
                self._thread = threading.Thread(target=self._loop, name="outbox-publisher",
                                                daemon=True)
                self._pid = os.getpid()
                self._thread.start()

    def _loop(self) -> None:
        unrecorded: dict[str, tuple[Collection, list[str]]] = {}
        untold = 0  # queued items done but not yet marked so: `drain` waits for their record
        record_at: float | None = None
        while True:
            self.processes.beat()
            batch = self._take(_sooner(self.processes.beat_due_in(), None if record_at is None
                                       else max(0.0, record_at - time.monotonic())))
            try:
                if batch:
                    for name, (collection, ids) in self._publish(batch).items():
                        unrecorded.setdefault(name, (collection, []))[1].extend(ids)
            except Exception as exc:  # the relay will publish them later
                log.warning("prompt publish failed; relay will retry", extra={"error": repr(exc)})
                _ask_relays(item.collection for item in batch)
            untold += len(batch)
            if unrecorded and record_at is None:
                record_at = time.monotonic() + self.RECORD_EVERY_S
            if record_at is None or time.monotonic() >= record_at:
                try:
                    _record(unrecorded, self._doc_of)
                except Exception as exc:  # unrecorded: the relay publishes them once more
                    log.warning("acknowledgements not recorded", extra={"error": repr(exc)})
                    _ask_relays(collection for collection, _ in unrecorded.values())
                unrecorded, record_at = {}, None
                for _ in range(untold):
                    self._queue.task_done()
                untold = 0

    def _take(self, timeout_s: float | None) -> list:
        """What is queued (waiting up to ``timeout_s`` for the first; None: until one comes)."""
        try:
            batch = [self._queue.get(timeout=timeout_s)]
        except queue.Empty:
            return []
        while len(batch) < self.BATCH:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return batch


def _sooner(first: float, second: float | None) -> float:
    return first if second is None else min(first, second)


def _ask_relays(collections: Iterable[Collection]) -> None:
    for database in {c.database.name: c.database for c in collections}.values():
        outbox_processes.ask_for_sweep(database)


def _record(acked: dict[str, tuple[Collection, list[str]]],
            doc_of: dict[str, tuple[str, object]]) -> None:
    """Insert each database's markers, then one record of them all in its log of
    acknowledgements (per document: which of its entries; ``doc_of`` gives it them up)."""
    for collection, ids in acked.values():
        record_published(collection, ids)
        documents: dict[tuple[str, object], list[str]] = {}
        for event_id in ids:
            if (doc := doc_of.pop(event_id, None)) is not None:
                documents.setdefault(doc, []).append(event_id)
        if documents:
            _append_acknowledged(collection.database, [
                (name, doc_id, entry_ids) for (name, doc_id), entry_ids in documents.items()],
                datetime.now(UTC))


class _Written(NamedTuple):
    """A queued write: the outbox as it left the document, the entries it added (nobody can
    have recorded them yet), and the document's `_id` (None when the caller did not say) for
    the log of acknowledgements."""

    collection: Collection
    outbox: list[dict]
    fresh: frozenset
    doc_id: object = None
