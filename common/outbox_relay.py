"""The outbox relay: publishes what a crash or an outage left in outboxes, and empties them.

Every relay interval it empties the outboxes the log of acknowledgements names
(`outbox_acknowledged`, read by `_id`); it reads the outbox collections whole (a sweep) only
when something was left behind (`outbox_processes`). See `common.outbox` for the outbox itself.
"""

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pymongo import DeleteOne, UpdateOne
from pymongo.collection import Collection
from pymongo.errors import PyMongoError

from common import outbox_acknowledged, outbox_processes, pacing
from common.outbox import MARKERS, _aware, publish_unrecorded, published_ids
from common.persistence import by_id
from common.producer import EventProducer

log = logging.getLogger(__name__)


class OutboxRelay:
    """Publishes entries older than ``grace_s`` that nobody published, and empties outboxes
    whose entries are all acknowledged once the document has been quiet for ``quiet_s``.

    A sweep reads every outbox collection whole on FerretDB, so the relay sweeps only when
    something was left behind: a process asked (a publish failed: `outbox_processes.DUE`), a
    process that writes outboxes stopped beating, or no relay ever completed a sweep.

    Emptying is the one write the relay makes to an aggregate. On FerretDB it could still undo a
    business write landing in the same few milliseconds, so it waits until the document has
    been quiet for a long while (a minute by default): documents being worked on are left alone.

    Emptying what the log names is paced (`common.pacing`): it takes at most ``duty`` of the
    time, so the minute after a busy one is not a burst on the requests of that minute.
    """

    def __init__(self, collections: list[Collection], producer: EventProducer,
                 grace_s: float = 5.0, quiet_s: float = 60.0, duty: float = pacing.DUTY):
        self.collections = collections
        self.producer = producer
        self.grace_s = grace_s
        self.quiet_s = quiet_s
        self.duty = duty
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
        """Empty these outboxes if each still holds what the sweep saw (its copies are seconds
        old: they are read again, side by side, by `_id` alone: on FerretDB any other filter
        decodes the collection)."""
        if not emptied:
            return
        current = by_id.side_by_side(
            lambda doc_id: collection.find_one({"_id": doc_id}, {"outbox": 1}),
            [p.doc_id for p in emptied])
        empty_now(collection, [p for p in emptied if current[p.doc_id] is not None and [
            e["id"] for e in current[p.doc_id].get("outbox", [])] == list(p.ids)])

    def backlog(self) -> int:
        """Events waiting to be acknowledged, in every outbox."""
        return sum(outbox_backlog_of(c) for c in self.collections)

    def run(self, stop: threading.Event, interval_s: float) -> None:
        """A pass every ``interval_s``; at once again after a pass that ran out of its time
        (paced emptying left work owed), so a relay behind is never idle."""
        named = pacing.BACKGROUND.set("outbox-relay")
        try:
            while not stop.is_set():
                pacer = pacing.Pacer(self.duty, interval_s, rest=stop.wait,
                                     stopping=stop.is_set)
                try:
                    self.run_once(pacer)
                except PyMongoError as exc:
                    log.warning("outbox relay: database unavailable",
                                extra={"error": repr(exc)})
                except Exception:
                    log.exception("outbox relay failed; will retry")
                stop.wait(0 if pacer.cut_short else interval_s)
        finally:
            pacing.BACKGROUND.reset(named)

    def run_once(self, pacer: pacing.Pacer | None = None) -> bool:
        """Empty what the log of acknowledgements says is done (`outbox_acknowledged`, paced
        by ``pacer``; none: at once), then sweep if something was left behind
        (`outbox_processes.look`); whether it swept."""
        outbox_acknowledged.empty_acknowledged(self, pacer=pacer)
        databases = {c.database.name: c.database for c in self.collections}.values()
        flags = [(database, flag) for database in databases  # one per process, at most
                 for flag in database[outbox_processes.DUE].find({}, {"at": 1})]
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
                database[outbox_processes.DUE].delete_one({"_id": flag["_id"]})
        return True


FORGET_FLAGS_AFTER = timedelta(hours=1)


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


def empty_now(collection: Collection, emptied: list[_Pending]) -> None:
    """Empty these outboxes, read a moment ago, and delete their markers: written
    `by_id.UPDATES_PER_COMMAND` a command (one read, update and delete each before: three round
    trips an aggregate, 50,000 commands after 17,000 imports)."""
    if not emptied:
        return
    by_id.bulk(collection, [UpdateOne({"_id": p.doc_id},
                                      {"$set": {"outbox": [], "outbox_pending": False}})
                            for p in emptied], ordered=False)
    # One delete per id, a few a command: `$in` would read every marker on FerretDB.
    deletes = [DeleteOne({"_id": i}) for p in emptied for i in p.ids]
    if deletes:
        by_id.bulk(collection.database[MARKERS], deletes, ordered=False)


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
