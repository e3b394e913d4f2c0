"""The relays empty acknowledged outboxes from the log of acknowledgements, by `_id` alone."""

import uuid
from datetime import UTC, datetime, timedelta

import mongomock

import tests.fakes  # noqa: F401  (mongomock's bulk_write that takes pymongo's operations)
from common import outbox, outbox_acknowledged, outbox_processes, outbox_relay
from common.envelope import new_event

TOPIC = "registration.events"
# Seconds after its write by which a record is surely worked: quiet for a minute, and the minute
# before its own closed (up to `LATE_S` later when it was written early in its minute).
DUE = 60 + outbox_acknowledged.LATE_S + 1


class Watched:
    """A collection that notes every command made through it: (collection, method, filter)."""

    def __init__(self, collection, database):
        self.collection, self.database, self.name = collection, database, collection.name

    def __getattr__(self, method):
        attribute = getattr(self.collection, method)
        if not callable(attribute):
            return attribute

        def noted(*args, **kwargs):
            first = args[0] if args else kwargs.get("filter")
            filters = ([getattr(r, "_filter", None) for r in first]
                       if method == "bulk_write" else [first])
            self.database.calls += [(self.name, method, f) for f in filters]
            return attribute(*args, **kwargs)
        return noted


class WatchedDatabase:
    def __init__(self):
        # A name of its own: `numbered_log` remembers where each database's streams end.
        self.name, self.calls = f"registration_{uuid.uuid4().hex[:12]}", []
        self.database = mongomock.MongoClient(tz_aware=True)[self.name]

    def __getitem__(self, name):
        return Watched(self.database[name], self)

    def of(self, method: str, collection: str | None = None) -> list:
        return [f for c, m, f in self.calls
                if m == method and (collection is None or c == collection)]


class Producer:
    def publish(self, topic, events, timeout_s=10.0):
        return [e.id for e in events]


def _written(database, n: int, staged_at=None):
    """An officer's document with one event, written and published; its `_id` and entry."""
    event = new_event("registration.participant.registered", f"p-{n}", {"n": n}, "registration")
    document = outbox.on_insert({"_id": f"p-{n}"}, TOPIC, [event])
    database["participants"].insert_one(document)
    outbox.Publisher(Producer()).publish_batch([outbox._Written(
        database["participants"], document["outbox"], [event.id], document["_id"])])
    return document


def _relay(database, quiet_s=60):
    return outbox_relay.OutboxRelay([database["participants"]], Producer(), grace_s=5,
                                    quiet_s=quiet_s)


def _later(document, seconds):
    return document["outbox"][0]["staged_at"] + timedelta(seconds=seconds)


def _document(database, n):
    return database.database["participants"].find_one({"_id": f"p-{n}"})


def test_an_acknowledged_quiet_outbox_is_emptied_reading_only_by_id():
    database = WatchedDatabase()
    first = _written(database, 1)
    _written(database, 2)
    database.calls.clear()

    emptied = outbox_acknowledged.empty_acknowledged(_relay(database), now=_later(first, DUE))

    assert emptied == 2
    assert [_document(database, n)["outbox"] for n in (1, 2)] == [[], []]
    assert _document(database, 1)["outbox_pending"] is False
    assert database.database[outbox.MARKERS].count_documents({}) == 0
    assert database.of("find") == []  # no query: every read and write is by `_id` alone
    assert len(database.of("find_one", "participants")) == 2  # each outbox read once
    reads_and_writes = [f for _, m, f in database.calls if m != "insert_many"]
    assert reads_and_writes and all(list(f) == ["_id"] and not isinstance(f["_id"], dict)
                                    for f in reads_and_writes)


def test_an_outbox_written_since_its_record_keeps_its_new_entries():
    database = WatchedDatabase()
    first = _written(database, 1)
    newer = outbox.entries(TOPIC, [new_event("registration.participant.updated", "p-1", {},
                                             "registration")])
    database.database["participants"].update_one(
        {"_id": "p-1"}, {"$push": {"outbox": {"$each": newer}}})

    assert outbox_acknowledged.empty_acknowledged(_relay(database), now=_later(first, DUE)) == 0
    kept = _document(database, 1)
    assert [e["id"] for e in kept["outbox"]] == [first["outbox"][0]["id"], newer[0]["id"]]
    assert kept["outbox_pending"] is True


def test_an_outbox_whose_newest_entry_is_not_quiet_waits():
    database = WatchedDatabase()
    first = _written(database, 1)
    newer = outbox.entries(TOPIC, [new_event("registration.participant.updated", "p-1", {},
                                             "registration")])
    for entry in newer:
        entry["staged_at"] = _later(first, 30)
    database.database["participants"].update_one(
        {"_id": "p-1"}, {"$push": {"outbox": {"$each": newer}}})
    outbox.record_published(database["participants"], [newer[0]["id"]])  # acknowledged

    assert outbox_acknowledged.empty_acknowledged(_relay(database), now=_later(first, DUE)) == 0
    assert len(_document(database, 1)["outbox"]) == 2


def test_a_record_not_yet_quiet_waits_for_a_later_interval():
    database = WatchedDatabase()
    first = _written(database, 1)

    assert outbox_acknowledged.empty_acknowledged(_relay(database), now=_later(first, 30)) == 0
    assert len(_document(database, 1)["outbox"]) == 1
    assert outbox_acknowledged.empty_acknowledged(_relay(database), now=_later(first, DUE)) == 1
    assert _document(database, 1)["outbox"] == []


def test_two_relays_do_not_both_work_the_same_records():
    database = WatchedDatabase()
    first = _written(database, 1)
    log = database.database[outbox_acknowledged.LOG]
    before = log.find_one({"_id": outbox_acknowledged.MARK})

    assert outbox_acknowledged.empty_acknowledged(_relay(database), now=_later(first, DUE)) == 1
    # The second relay read the mark before the first one moved it: same records, claimed.
    if before is None:
        log.delete_one({"_id": outbox_acknowledged.MARK})
    else:
        log.replace_one({"_id": outbox_acknowledged.MARK}, before)
    database.calls.clear()
    assert outbox_acknowledged.empty_acknowledged(_relay(database), now=_later(first, DUE)) == 0
    assert database.of("find_one", "participants") == []


def test_a_restarted_relay_resumes_from_the_mark():
    database = WatchedDatabase()
    first = _written(database, 1)
    assert outbox_acknowledged.empty_acknowledged(_relay(database), now=_later(first, DUE)) == 1
    _written(database, 2)
    database.calls.clear()

    restarted = _relay(database)
    assert outbox_acknowledged.empty_acknowledged(restarted, now=_later(first, DUE + 1)) == 1
    assert _document(database, 2)["outbox"] == []
    read = [f["_id"] for f in database.of("find_one", outbox_acknowledged.LOG)]
    minute = outbox_acknowledged.minute_of(_later(first, 0))
    assert f"ack{minute}.0:00000001" in read
    assert f"ack{minute}.0:00000000" not in read  # the first record: done with


def test_a_finished_minute_is_deleted_and_the_relays_move_on():
    database = WatchedDatabase()
    first = _written(database, 1)
    relay = _relay(database)
    assert outbox_acknowledged.empty_acknowledged(relay, now=_later(first, DUE)) == 1

    outbox_acknowledged.empty_acknowledged(relay, now=_later(first, 200))

    log = database.database[outbox_acknowledged.LOG]
    assert [d["_id"] for d in log.find({})] == [outbox_acknowledged.MARK]
    assert log.find_one({"_id": outbox_acknowledged.MARK})["records"] == 1
    assert outbox_acknowledged.pending(database) == 0


def test_the_publisher_logs_one_record_per_batch_with_each_documents_id():
    database = WatchedDatabase()
    documents = []
    for n in range(3):
        event = new_event("registration.participant.registered", f"p-{n}", {}, "registration")
        documents.append(outbox.on_insert({"_id": f"p-{n}"}, TOPIC, [event]))
    database.database["participants"].insert_many(documents)
    database.calls.clear()

    outbox.Publisher(Producer()).publish_batch([outbox._Written(
        database["participants"], d["outbox"], [d["outbox"][0]["id"]], d["_id"])
        for d in documents])

    assert len(database.of("insert_one", outbox_acknowledged.LOG)) == 1
    (record,) = database.database[outbox_acknowledged.LOG].find({"docs": {"$exists": True}})
    assert [(d["c"], d["d"], d["ids"]) for d in record["docs"]] == [
        ("participants", d["_id"], [d["outbox"][0]["id"]]) for d in documents]
    assert outbox_acknowledged.pending(database) == 1


def test_processes_append_to_slots_of_their_own_one_insert_a_record(monkeypatch):
    database = WatchedDatabase()
    first = _written(database, 1)
    monkeypatch.setattr(outbox_acknowledged.os, "getpid", lambda: -2)  # another process
    _written(database, 2)
    _written(database, 3)
    database.calls.clear()
    monkeypatch.setattr(outbox_acknowledged.os, "getpid", lambda: -3)  # and a third
    _written(database, 4)

    log_inserts = [c for c in database.calls
                   if c[0] == outbox_acknowledged.LOG and c[1] == "insert_one"]
    assert len(log_inserts) == 3  # slots 0 and 1 taken: its first record went to slot 2
    minute = outbox_acknowledged.minute_of(_later(first, 0))
    log = database.database[outbox_acknowledged.LOG]
    assert {d["_id"] for d in log.find({})} == {
        f"ack{minute}.0:00000000", f"ack{minute}.1:00000000", f"ack{minute}.1:00000001",
        f"ack{minute}.2:00000000"}
    assert outbox_acknowledged.pending(database) == 4
    assert outbox_acknowledged.empty_acknowledged(_relay(database), now=_later(first, DUE)) == 4


def test_a_record_written_after_its_minute_may_have_closed_asks_the_relays_to_sweep():
    """A process that stalled between taking the time and inserting: the relays may already
    have finished that minute and would never read the record, so they are asked to sweep."""
    database = WatchedDatabase()
    outbox_acknowledged.append(database, [("participants", "p-1", ["e-1"])])
    assert database.database[outbox_processes.DUE].find_one({}) is None

    stalled = datetime.now(UTC) - timedelta(seconds=outbox_acknowledged.LATE_S + 5)
    outbox_acknowledged.append(database, [("participants", "p-2", ["e-2"])], at=stalled)
    assert database.database[outbox_processes.DUE].find_one({}) is not None
