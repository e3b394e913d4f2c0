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
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pymongo import DeleteOne, UpdateOne
from pymongo.collection import Collection
from pymongo.errors import BulkWriteError, PyMongoError

from common import outbox_acknowledged, outbox_processes
from common.envelope import Event
from common.persistence import by_id
from common.producer import EventProducer

log = logging.getLogger(__name__)

MARKERS = "outbox_published"
# One document `{_id: host:pid, at}` per process that asked the relays to sweep (a publish of
# its failed or was refused, its queue was full, its acknowledgements were not recorded); a
# relay sweeps when an `at` is later than what the last completed sweep covered (stored:
# `outbox_processes`, which also tells the relays of processes that died).
DUE = "outbox_relay_due"


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
        ask_for_sweep(database)


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


class OutboxRelay:
    """Publishes entries older than ``grace_s`` that nobody published, and empties outboxes
    whose entries are all acknowledged once the document has been quiet for ``quiet_s``.

    A sweep reads every outbox collection whole on FerretDB, so the relay sweeps only when
    something was left behind: a process asked (a publish failed: see `DUE`), a process that
    writes outboxes stopped beating, or no relay ever completed a sweep (`outbox_processes`).

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
        # Every entry staged before this was sent (the cutoff of the last sweep that sent all).
        self.swept_before: datetime | None = None

    def sweep(self) -> int:
        """One pass over every outbox; returns the number of events it published.

        What the pass keeps of each pending document is slim (its entries' ids and staging
        times: `_Pending`), and it works through them `SWEEP_CHUNK` at a time: at the large size
        a whole collection's outboxes, event bodies and all, cost the worker tens of megabytes.
        """
        now = datetime.now(UTC)
        cutoff, quiet = now - timedelta(seconds=self.grace_s), now - timedelta(seconds=self.quiet_s)
        published, complete = 0, True
        for collection in self.collections:
            due = _outboxes_past(collection, cutoff)
            for start in range(0, len(due), SWEEP_CHUNK):
                sent, sent_all = self._sweep_chunk(collection, due[start:start + SWEEP_CHUNK],
                                                   cutoff, quiet)
                published, complete = published + sent, complete and sent_all
        self.swept_before = cutoff if complete else None
        if published:
            log.info("outbox relay published", extra={"count": published})
        return published

    def _sweep_chunk(self, collection: Collection, chunk: list["_Pending"], cutoff: datetime,
                     quiet: datetime) -> tuple[int, bool]:
        """Publish what is left of these outboxes and empty the quiet ones; how many events it
        published, and whether every entry staged before ``cutoff`` is now acknowledged."""
        recorded = published_ids(collection, [i for p in chunk for i in p.ids])
        published, complete, emptied = 0, True, []
        for pending in chunk:
            done = set(pending.ids) & recorded
            if len(done) < len(pending.ids):  # `_outboxes_past` found one staged before cutoff
                known, done = done, self._publish_left(collection, pending, cutoff, done)
                published += len(done) - len(known)
            complete = complete and all(i in done for i, at in
                                        zip(pending.ids, pending.staged, strict=True)
                                        if at <= cutoff)
            if set(pending.ids) <= done and pending.newest <= quiet:
                emptied.append(pending)
        self._empty(collection, emptied)
        return published, complete

    def _publish_left(self, collection: Collection, pending: "_Pending", cutoff: datetime,
                      known: set[str]) -> set[str]:
        """Publish what a crash or an outage left of one outbox (read again whole, by `_id`)."""
        current = collection.find_one({"_id": pending.doc_id}, {"outbox": 1}) or {}
        outbox = current.get("outbox", [])
        return publish_unrecorded(collection, self.producer, outbox, cutoff,
                                  known & {e["id"] for e in outbox}, pending.doc_id)

    @staticmethod
    def _empty(collection: Collection, emptied: list["_Pending"]) -> None:
        """Empty these outboxes if each still holds what the sweep saw: read side by side and
        written `by_id.UPDATES_PER_COMMAND` a command (one read, update and delete each
        before: three round trips an aggregate, 50,000 commands after 17,000 imports)."""
        if not emptied:
            return
        # Read and written by `_id` alone: on FerretDB any other filter decodes the collection.
        current = by_id.side_by_side(
            lambda doc_id: collection.find_one({"_id": doc_id}, {"outbox": 1}),
            [p.doc_id for p in emptied])
        still = [p for p in emptied if current[p.doc_id] is not None
                 and [e["id"] for e in current[p.doc_id].get("outbox", [])] == list(p.ids)]
        if not still:
            return  # written since the sweep read them: the next sweep looks again
        by_id.bulk(collection, [UpdateOne({"_id": p.doc_id},
                                          {"$set": {"outbox": [], "outbox_pending": False}})
                                for p in still], ordered=False)
        # One delete per id, a few a command: `$in` would read every marker on FerretDB.
        deletes = [DeleteOne({"_id": i}) for p in still for i in p.ids]
        if deletes:
            by_id.bulk(collection.database[MARKERS], deletes, ordered=False)

    def backlog(self) -> int:
        """Events waiting to be acknowledged, in every outbox."""
        return sum(outbox_backlog_of(c) for c in self.collections)

    def run(self, stop: threading.Event, interval_s: float) -> None:
        while not stop.is_set():
            try:
                self.run_once()
            except PyMongoError as exc:
                log.warning("outbox relay: database unavailable", extra={"error": repr(exc)})
            except Exception:
                log.exception("outbox relay failed; will retry")
            stop.wait(interval_s)

    def run_once(self) -> bool:
        """Empty what the log of acknowledgements says is done (`outbox_acknowledged`), then
        sweep if something was left behind (`outbox_processes.look`); whether it swept."""
        outbox_acknowledged.empty_acknowledged(self)
        databases = {c.database.name: c.database for c in self.collections}.values()
        flags = [(database, flag) for database in databases
                 for flag in database[DUE].find({}, {"at": 1})]  # one per process, at most
        now = datetime.now(UTC)
        looks = [outbox_processes.look(database, [_aware(f["at"]) for d, f in flags
                                                  if d is database], now, self.grace_s)
                 for database in databases]
        reasons = sorted({seen.reason for seen in looks if seen.reason})
        if not reasons:
            return False
        log.info("outbox relay sweeps", extra={"reason": ", ".join(reasons)})
        self.sweep()
        if self.swept_before is None:  # something old is still unsent: again next interval
            return True
        for seen in looks:
            outbox_processes.record_sweep(seen, self.swept_before)
        for database, flag in flags:  # a process gone long ago: its flag is of no more use
            if _aware(flag["at"]) < self.swept_before - FORGET_FLAGS_AFTER:
                database[DUE].delete_one({"_id": flag["_id"]})
        return True


FORGET_FLAGS_AFTER = timedelta(hours=1)


def ask_for_sweep(database) -> None:
    """Tell the relays of ``database``'s service to sweep (they do once the grace has passed):
    one document per process, its `at` the latest time this process asked."""
    try:
        database[DUE].update_one({"_id": f"{socket.gethostname()}:{os.getpid()}"},
                                 {"$set": {"at": datetime.now(UTC)}}, upsert=True)
    except Exception as exc:  # this process will not leave clean: the relays sweep once it stops
        log.warning("relay not told to sweep", extra={"error": repr(exc)})
        _failed_asks.add((os.getpid(), database.name))


_failed_asks: set[tuple[int, str]] = set()


SWEEP_CHUNK = 500  # pending outboxes looked at together: one marker query, one round of writes


@dataclass(frozen=True)
class _Pending:
    """What a sweep keeps of a pending outbox: its entries' ids and staging times, in order."""

    doc_id: object
    ids: tuple[str, ...]
    staged: tuple[datetime, ...]

    @property
    def newest(self) -> datetime:
        return max(self.staged, default=datetime.min.replace(tzinfo=UTC))


def _outboxes_past(collection: Collection, cutoff: datetime) -> list[_Pending]:
    """The pending documents with an entry staged before ``cutoff`` (or none at all).

    Younger entries are the publisher's: a document whose entries are all that young is left
    for a later sweep, without a look-up.
    """
    found = []
    for document in collection.find({"outbox_pending": True}, {"outbox": 1}):
        outbox = document.get("outbox", [])
        staged = tuple(_aware(e["staged_at"]) for e in outbox)
        if not outbox or min(staged) <= cutoff:
            found.append(_Pending(document["_id"], tuple(e["id"] for e in outbox), staged))
    return found


def outbox_backlog_of(collection: Collection) -> int:
    """Entries of ``collection``'s outboxes that the broker has not acknowledged yet."""
    ids = [e["id"] for document in collection.find({"outbox_pending": True}, {"outbox": 1})
           for e in document.get("outbox", [])]
    return len(ids) - len(published_ids(collection, ids))


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
            self.processes.leave({name for pid, name in _failed_asks if pid == os.getpid()})

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
            self._queue.put_nowait(_Written(collection, outbox, fresh_ids, doc_id))
        except queue.Full:
            log.warning("publisher queue full; leaving events to the relay")
            ask_for_sweep(collection.database)

    def publish_batch(self, items: list[tuple[Collection, list[dict], frozenset]]) -> set[str]:
        """Publish, in order, what the queued writes left unpublished, and record it; returns
        the acked ids."""
        acked = self._publish(items)
        _record(acked, self._doc_of)
        return {event_id for ids in acked.values() for event_id in ids[1]}

    def _publish(self, items: list[tuple[Collection, list[dict], frozenset]]
                 ) -> dict[str, tuple[Collection, list[str]]]:
        """Publish what the queued writes left unpublished; the acked ids, per database."""
        waiting: dict[str, tuple[Collection, dict, object]] = {}
        for item in items:
            collection, outbox, fresh = item
            unsure = [e["id"] for e in outbox
                      if e["id"] not in fresh and e["id"] not in self._acked
                      and e["id"] not in waiting]
            known = published_ids(collection, unsure) if unsure else set()
            for entry in outbox:
                if entry["id"] not in known and entry["id"] not in self._acked:
                    waiting.setdefault(entry["id"],
                                       (collection, entry, getattr(item, "doc_id", None)))
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
                _ask_relays(collection for collection, _, _ in batch)
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
        ask_for_sweep(database)


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


class _Written(tuple):
    """A queued write: unpacks as (collection, outbox, fresh ids); carries the `_id` of the
    document written (None when the caller did not say) for the log of acknowledgements."""

    def __new__(cls, collection: Collection, outbox: list[dict], fresh_ids: Iterable[str],
                doc_id: object = None):
        written = super().__new__(cls, (collection, outbox, frozenset(fresh_ids)))
        written.doc_id = doc_id
        return written
