"""A log of acknowledgements, so the outbox relays empty outboxes without scanning them.

Whoever records acknowledgement markers (the Publisher's record step, the relay's own publish)
also appends ONE record for that batch: when, and per aggregate (collection, `_id`, the entry
ids acknowledged). Each relay interval, a relay reads the records after the stored mark by `_id`,
takes those older than ``quiet_s``, reads their documents by `_id` and empties each outbox whose
entries are all acknowledged and whose newest entry is that old too (`outbox_relay.empty_now`:
one read an outbox). No filter other than `{_id: ...}`: on FerretDB any other one reads the
whole collection. The emptying is paced (`common.pacing`): the minute after a busy one is not
a burst on the requests of that minute.

Records are numbered in streams `ack<minute>.<slot>:<number>`: the minute of their `at`, and a
slot that one process owns for that minute, so its appends never race another process's (one
shared stream cost two inserts and two reads a record with three processes appending: each found
its next number taken). A process takes the first free slot by writing its first record of the
minute as number 0 of slot 0, 1, 2...: slots are dense, so a reader stops at the first slot
without a record 0. Once a minute is older than ``quiet_s`` plus `LATE_S`, nobody writes to it
any more and a relay that read every slot to its end deletes its records; a relay moves on to a
minute only once the one before is closed, so a record is worked 60 to 75 s after it was written.
A record written later (a process stopped between taking the time and inserting) asks the relays
for a full sweep; the work of a relay that died holding a claim is left to the full sweep its
death sets off (`outbox_processes`): the sweep is what recovers from a crash anyway.

Several relays of one service run at once: each claims the records it works on by a unique
insert (`<stream>:claim<number>`), so two never do the same records' work. A claim only saves
work: emptying is checked again against the document, so doing it twice is harmless.
"""

import logging
import os
import threading
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from pymongo import DeleteOne
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from common import outbox_processes, pacing
from common.persistence import by_id, claims, numbered_log

log = logging.getLogger(__name__)

LOG = "outbox_acknowledged"
MARK = "emptied"  # {minute, slots: [next number of each slot]}: what the relays are done with
BUCKET_S = 60
LATE_S = 15  # how late after its `at` a record may still be inserted
START_BACK = 10  # minutes a relay looks back when no relay ever stored a mark
CHUNK = 20  # records claimed and worked together
OUTBOXES_AT_ONCE = 500  # outboxes the records claimed together name, at most (one record more)
PIECE = 50  # outboxes read and emptied together: one piece of paced work (`common.pacing`)
BEHIND_S = 300  # records this much past due are worked without rests: the relay is behind
SLOTS = 1000  # at most, per minute and database


def stream_of(minute: int, slot: int) -> str:
    return f"ack{minute}.{slot}"


def minute_of(moment: datetime) -> int:
    return int(moment.timestamp()) // BUCKET_S


# This process's slot and next number, per (pid, database, minute): a child forked after an
# append must not write to its parent's slot.
_owned: dict[tuple[int, str, int], list[int]] = {}
_owned_lock = threading.Lock()


def append(database: Database, acked: Iterable[tuple[str, object, list[str]]],
           at: datetime | None = None) -> None:
    """Record that these entries ((collection name, document `_id`, entry ids)) are
    acknowledged: one insert for the lot, in this process's slot of the minute."""
    docs = [{"c": name, "d": doc_id, "ids": list(ids)} for name, doc_id, ids in acked
            if doc_id is not None and ids]
    if not docs:
        return
    at = at or datetime.now(UTC)
    record, minute = {"at": at, "docs": docs}, minute_of(at)
    key = (os.getpid(), database.name, minute)
    log_ = database[LOG]
    with _owned_lock:
        if len(_owned) > 1000:
            for old in [k for k in _owned if k[2] < minute - 2]:
                del _owned[old]
        slot, number = _owned.get(key, (0, 0))
        while slot < SLOTS:
            try:
                log_.insert_one({**record, "_id": numbered_log.entry_id(stream_of(minute, slot),
                                                                        number)})
                _owned[key] = [slot, number + 1]
                if datetime.now(UTC) - at > timedelta(seconds=LATE_S):
                    _written_late(database)
                return
            except DuplicateKeyError:  # another process's slot: the next one
                slot, number = slot + 1, 0
        raise RuntimeError("no free slot in the log of acknowledgements")


def _written_late(database: Database) -> None:
    """A record inserted after its minute may be closed: the relays may never read it, so
    they are asked for a full sweep, which empties what it names."""
    log.warning("acknowledgement record written late; relays asked to sweep")
    outbox_processes.ask_for_sweep(database)


def mark(database: Database) -> dict:
    """The stored mark: where the relays are, and what they did (counters, for the bench)."""
    return database[LOG].find_one({"_id": MARK}) or {}


def empty_acknowledged(relay, now: datetime | None = None,
                       pacer: pacing.Pacer | None = None) -> int:
    """One relay interval's work from the log of each of ``relay``'s databases; how many
    outboxes it emptied. Paced by ``pacer`` (none: at once); a pass it ends early resumes from
    the stored mark. A failure is logged: the full sweep still empties what is left."""
    now, pacer = now or datetime.now(UTC), pacer or pacing.Pacer(duty=1)
    emptied = 0
    databases = {c.database.name: c.database for c in relay.collections}
    for name, database in databases.items():
        try:
            collections = {c.name: c for c in relay.collections if c.database.name == name}
            emptied += _Reader(relay, database, collections, now, pacer).run()
        except Exception as exc:
            log.warning("outbox relay: log of acknowledgements not read",
                        extra={"error": repr(exc)})
    return emptied


class _Reader:
    """One pass over one database's log, from the stored mark up to what is quiet."""

    def __init__(self, relay, database: Database, collections: dict[str, Collection],
                 now: datetime, pacer: pacing.Pacer):
        self.relay, self.log, self.collections = relay, database[LOG], collections
        self.pacer, self.behind = pacer, now - timedelta(seconds=relay.quiet_s + BEHIND_S)
        self.now, self.quiet = now, now - timedelta(seconds=relay.quiet_s)
        self.records = self.emptied = 0

    def run(self) -> int:
        stored = self.log.find_one({"_id": MARK}, {"minute": 1, "slots": 1}) or {}
        minute = stored.get("minute", minute_of(self.quiet) - START_BACK)
        slots = list(stored.get("slots", []))
        start = (minute, list(slots))
        while minute <= minute_of(self.quiet):
            slots, ended = self._work_minute(minute, slots)
            if not ended:
                break
            minute, slots = minute + 1, []
        if (minute, slots) != start or self.records:
            # Not atomic on FerretDB: a relay that set an older mark costs the next pass a
            # few reads and lost claims, never a record (nothing before the mark is unread).
            by_id.write(self.log, MARK, {"$set": {"minute": minute, "slots": slots},
                                         "$inc": {"records": self.records,
                                                  "emptied": self.emptied}})
        return self.emptied

    def _work_minute(self, minute: int, slots: list[int]) -> tuple[list[int], bool]:
        """Work the minute's quiet records, slot by slot from where each was left; (where
        each stopped, whether the minute is done with and its records deleted)."""
        slots, done = list(slots), True
        for slot in range(SLOTS):
            if slot == len(slots):
                slots.append(0)
            slots[slot], ended = self._work_slot(stream_of(minute, slot), slots[slot])
            done = done and ended
            if slots[slot] == 0:  # no record 0: no process took this slot, nor any after
                slots.pop()
                break
        closed = (minute + 1) * BUCKET_S + self.relay.quiet_s + LATE_S <= self.now.timestamp()
        if not (closed and done):
            return slots, False
        self._delete(minute, slots)
        return slots, True

    def _work_slot(self, stream: str, number: int) -> tuple[int, bool]:
        """Work one slot's quiet records from ``number``; (where it stopped, whether it
        stopped at its end rather than at a record not quiet yet or at the pass's end)."""
        while True:
            if self.pacer.over():
                return number, False
            page = numbered_log.page(self.log, stream, number, CHUNK)
            quiet = []
            for record in page:
                if _aware(record["at"]) > self.quiet:
                    break
                quiet.append(record)
            for n, part in enumerate(_parts(quiet)):
                if n and self.pacer.over():  # a page can name thousands of outboxes
                    return number, False
                self._work(stream, number, part)
                number += len(part)
            if len(quiet) < CHUNK:
                return number, len(quiet) == len(page)

    def _work(self, stream: str, first: int, records: list[dict]) -> None:
        """Claim these records (one insert) and empty what the ones this relay won name."""
        keys = [f"{stream}:claim{first + n:08d}" for n in range(len(records))]
        won = claims.claim_many(self.log, [{"_id": key, "at": self.now} for key in keys])
        acked: dict[str, dict[object, set[str]]] = {}
        for key, record in zip(keys, records, strict=True):
            if key not in won:
                continue
            self.records += 1
            for doc in record.get("docs", []):
                acked.setdefault(doc["c"], {}).setdefault(doc["d"], set()).update(doc["ids"])
        catching_up = any(_aware(r["at"]) < self.behind for r in records)
        for name, documents in acked.items():
            if name not in self.collections:
                continue  # not this relay's
            doc_ids = list(documents)
            for start in range(0, len(doc_ids), PIECE):
                part = {d: documents[d] for d in doc_ids[start:start + PIECE]}
                self.emptied += self.pacer.piece(
                    lambda c=self.collections[name], p=part: self._empty(c, p), catching_up)

    def _empty(self, collection: Collection, acked: dict[object, set[str]]) -> int:
        from common.outbox import MARKERS  # outbox imports this module
        from common.outbox_relay import _Pending, empty_now

        current = by_id.side_by_side(
            lambda doc_id: collection.find_one({"_id": doc_id}, {"outbox": 1}), list(acked))
        outboxes = {doc_id: doc.get("outbox") or [] for doc_id, doc in current.items() if doc}
        unsure = [e["id"] for doc_id, entries in outboxes.items() for e in entries
                  if e["id"] not in acked[doc_id]]
        markers = collection.database[MARKERS]
        found = by_id.side_by_side(lambda i: markers.find_one({"_id": i}, {"_id": 1}), unsure)
        recorded = {i for i, marker in found.items() if marker is not None}
        emptied = []
        for doc_id, entries in outboxes.items():
            staged = tuple(_aware(e["staged_at"]) for e in entries)
            if entries and max(staged) <= self.quiet and all(
                    e["id"] in acked[doc_id] or e["id"] in recorded for e in entries):
                emptied.append(_Pending(doc_id, tuple(e["id"] for e in entries), staged))
        empty_now(collection, emptied)
        return len(emptied)

    def _delete(self, minute: int, slots: list[int]) -> None:
        """Delete a finished minute's records and claims (by `_id`, a few a command)."""
        ids = [f"{stream_of(minute, slot)}:{kind}{n:08d}"
               for slot, end in enumerate(slots) for n in range(end) for kind in ("", "claim")]
        by_id.bulk(self.log, [DeleteOne({"_id": i}) for i in ids], ordered=False)


def _parts(records: list[dict]) -> list[list[dict]]:
    """Consecutive records naming at most `OUTBOXES_AT_ONCE` outboxes together (a record
    naming more is a part of its own): a paced pass can end between two parts."""
    parts, size = [], 0
    for record in records:
        named = len(record.get("docs", []))
        if not parts or size + named > OUTBOXES_AT_ONCE:
            parts.append([])
            size = 0
        parts[-1].append(record)
        size += named
    return parts


def pending(database: Database) -> int:
    """Records not yet worked (read by `_id` from the mark on): what the relays still owe."""
    log_, stored = database[LOG], mark(database)
    minute = stored.get("minute", minute_of(datetime.now(UTC)) - START_BACK)
    slots, count = stored.get("slots", []), 0
    while minute <= minute_of(datetime.now(UTC)):
        for slot in range(SLOTS):
            after = (slots[slot] if slot < len(slots) else 0) - 1
            if after < 0 and log_.find_one({"_id": numbered_log.entry_id(
                    stream_of(minute, slot), 0)}, {"_id": 1}) is None:
                break
            count += len(numbered_log.following(log_, stream_of(minute, slot), after,
                                                {"_id": 1}))
        minute, slots = minute + 1, []
    return count


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
