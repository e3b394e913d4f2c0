"""A log of acknowledgements, so the outbox relays empty outboxes without scanning them.

Whoever records acknowledgement markers (the Publisher's record step, the relay's own publish)
also appends ONE record for that batch: when, and per aggregate (collection, `_id`, the entry
ids acknowledged). Each relay interval, a relay reads the records after the stored mark by `_id`
(`numbered_log`), takes those older than ``quiet_s``, reads their documents by `_id` and empties
each outbox whose entries are all acknowledged and whose newest entry is that old too
(`OutboxRelay._empty`, which reads the document again and writes only if it is unchanged).
No filter other than `{_id: ...}`: on FerretDB any other one reads the whole collection.

Records go to one stream per minute of their `at` (`stream_of`): once a minute is older than
``quiet_s`` plus `LATE_S`, no process writes to it any more, so a relay that found its end may
delete its records; a writer numbering after a deleted record could otherwise reuse its number
below the mark, and nobody would read it. A record written later than that (a process stopped
for a minute between taking the time and inserting) is left to a full sweep, as is the work of a
relay that died holding a claim: the sweep is what recovers from a crash anyway.

Several relays of one service run at once: each claims the records it works on by a unique
insert (`<stream>:claim<number>`), so two never do the same records' work. A claim only saves
work: emptying is checked again against the document, so doing it twice is harmless.
"""

import logging
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from pymongo import DeleteOne
from pymongo.collection import Collection
from pymongo.database import Database

from common.persistence import by_id, claims, numbered_log

log = logging.getLogger(__name__)

LOG = "outbox_acknowledged"
MARK = "emptied"  # {position: minute * PER_MINUTE + number}: what the relays are done with
BUCKET_S = 60
PER_MINUTE = 10**7  # records of one minute, at most (a position packs minute and number)
LATE_S = 15  # how late after its `at` a record may still be inserted
START_BACK = 10  # minutes a relay looks back when no relay ever stored a mark
CHUNK = 20  # records claimed and worked together
DOCUMENTS = 500  # outboxes read at once (event bodies and all: a worker's memory)


def stream_of(minute: int) -> str:
    return f"ack{minute}"


def minute_of(moment: datetime) -> int:
    return int(moment.timestamp()) // BUCKET_S


def append(database: Database, acked: Iterable[tuple[str, object, list[str]]],
           at: datetime | None = None) -> None:
    """Record that these entries ((collection name, document `_id`, entry ids)) are
    acknowledged: one insert for the lot (threads of a process writing at once share it)."""
    docs = [{"c": name, "d": doc_id, "ids": list(ids)} for name, doc_id, ids in acked
            if doc_id is not None and ids]
    if not docs:
        return
    at = at or datetime.now(UTC)
    numbered_log.append_each(database[LOG], [(stream_of(minute_of(at)), {"at": at,
                                                                         "docs": docs})])


def mark(database: Database) -> dict:
    """The stored mark: where the relays are, and what they did (counters, for the bench)."""
    return database[LOG].find_one({"_id": MARK}) or {}


def empty_acknowledged(relay, now: datetime | None = None) -> int:
    """One relay interval's work from the log of each of ``relay``'s databases; how many
    outboxes it emptied. A failure is logged: the full sweep still empties what is left."""
    now = now or datetime.now(UTC)
    emptied = 0
    databases = {c.database.name: c.database for c in relay.collections}
    for name, database in databases.items():
        try:
            collections = {c.name: c for c in relay.collections if c.database.name == name}
            emptied += _Reader(relay, database, collections, now).run()
        except Exception as exc:
            log.warning("outbox relay: log of acknowledgements not read",
                        extra={"error": repr(exc)})
    return emptied


class _Reader:
    """One pass over one database's log, from the stored mark up to what is quiet."""

    def __init__(self, relay, database: Database, collections: dict[str, Collection],
                 now: datetime):
        self.relay, self.log, self.collections = relay, database[LOG], collections
        self.now, self.quiet = now, now - timedelta(seconds=relay.quiet_s)
        self.records = self.emptied = 0

    def run(self) -> int:
        stored = self.log.find_one({"_id": MARK}, {"position": 1})
        start = (stored or {}).get("position")
        if start is None:
            start = (minute_of(self.quiet) - START_BACK) * PER_MINUTE
        minute, number = divmod(start, PER_MINUTE)
        while minute <= minute_of(self.quiet):
            number, ended = self._work_minute(minute, number)
            if not ended:
                break
            minute, number = minute + 1, 0
        if (minute * PER_MINUTE + number) != start or self.records:
            by_id.write(self.log, MARK, {"$max": {"position": minute * PER_MINUTE + number},
                                         "$inc": {"records": self.records,
                                                  "emptied": self.emptied}})
        return self.emptied

    def _work_minute(self, minute: int, number: int) -> tuple[int, bool]:
        """Work the minute's quiet records from ``number``; (where it stopped, whether the
        minute is done with and its records deleted)."""
        stream = stream_of(minute)
        while True:
            page = numbered_log.page(self.log, stream, number, CHUNK)
            quiet = []
            for record in page:
                if _aware(record["at"]) > self.quiet:
                    break
                quiet.append(record)
            if quiet:
                self._work(stream, number, quiet)
                number += len(quiet)
            if len(quiet) < CHUNK:
                break
        closed = (minute + 1) * BUCKET_S + self.relay.quiet_s + LATE_S <= self.now.timestamp()
        if not closed or len(quiet) < len(page):
            return number, False
        self._delete(stream, number)
        return number, True

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
        for name, documents in acked.items():
            if name not in self.collections:
                continue  # not this relay's
            doc_ids = list(documents)
            for start in range(0, len(doc_ids), DOCUMENTS):
                part = {d: documents[d] for d in doc_ids[start:start + DOCUMENTS]}
                self.emptied += self._empty(self.collections[name], part)

    def _empty(self, collection: Collection, acked: dict[object, set[str]]) -> int:
        from common.outbox import MARKERS, _Pending  # outbox imports this module

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
        self.relay._empty(collection, emptied)
        return len(emptied)

    def _delete(self, stream: str, end: int) -> None:
        """Delete a finished minute's records, claims and end hint (by `_id`, a few a
        command)."""
        if end == 0:
            return
        ids = [numbered_log.entry_id(stream, n) for n in range(end)]
        ids += [f"{stream}:claim{n:08d}" for n in range(end)] + [f"{stream}:end"]
        by_id.bulk(self.log, [DeleteOne({"_id": i}) for i in ids], ordered=False)


def pending(database: Database) -> int:
    """Records not yet worked (read by `_id` from the mark on): what the relays still owe."""
    log_ = database[LOG]
    position = mark(database).get("position")
    if position is None:
        position = (minute_of(datetime.now(UTC)) - START_BACK) * PER_MINUTE
    minute, number = divmod(position, PER_MINUTE)
    count = 0
    while minute <= minute_of(datetime.now(UTC)):
        count += len(numbered_log.following(log_, stream_of(minute), number - 1, {"_id": 1}))
        minute, number = minute + 1, 0
    return count


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
