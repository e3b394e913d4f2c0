import threading
import uuid
from datetime import UTC, datetime, timedelta

import mongomock

from common import outbox, outbox_acknowledged, outbox_processes, outbox_relay
from common.envelope import new_event

TOPIC = "registration.events"


def _event(n: int):
    return new_event("registration.participant.registered", "p-1", {"n": n}, "registration")


class Result:
    def __init__(self, n):
        self.modified_count = self.matched_count = n


class FakeMarkers:
    def __init__(self):
        self.ids: set[str] = set()
        self.lookups = 0
        self.inserts = 0
        self.read = 0

    def find(self, query, projection=None):
        self.lookups += 1
        self.read += len(self.ids)  # FerretDB reads every marker for an `$in`
        return [{"_id": i} for i in query["_id"]["$in"] if i in self.ids]

    def find_one(self, query, projection=None):
        self.lookups += 1
        self.read += 1
        return {"_id": query["_id"]} if query["_id"] in self.ids else None

    def insert_many(self, documents, ordered=True):
        self.inserts += 1
        self.ids |= {d["_id"] for d in documents}

    def bulk_write(self, requests, ordered=True):
        self.ids -= {r._filter["_id"] for r in requests}


class FakeFlags:
    """`outbox_relay_due`: the relay's reasons to sweep."""

    def __init__(self):
        self.flags: dict[str, datetime] = {}
        self.asked = 0

    def update_one(self, query, update, upsert=False):
        self.asked += 1
        self.flags[query["_id"]] = update["$set"]["at"]

    def find(self, query, projection=None):
        return [{"_id": i, "at": at} for i, at in self.flags.items()]

    def delete_one(self, query):
        self.flags.pop(query["_id"], None)


class FakeRegistry:
    """`outbox_processes`: the processes writing outboxes, and what completed sweeps covered."""

    def __init__(self):
        self.documents: dict[str, dict] = {}

    def update_one(self, query, update, upsert=False):
        self.documents.setdefault(query["_id"], {"_id": query["_id"]}).update(update["$set"])

    def find(self, query, projection=None):
        return [dict(d) for d in self.documents.values()]

    def delete_one(self, query):
        self.documents.pop(query["_id"], None)


class FakeDatabase(dict):
    name = "registration"

    def __missing__(self, name):
        if name == outbox_acknowledged.LOG:  # a real log, in memory
            self[name] = mongomock.MongoClient(tz_aware=True)[f"unit_{uuid.uuid4().hex}"][name]
        else:
            kinds = {outbox_processes.DUE: FakeFlags, outbox_processes.PROCESSES: FakeRegistry}
            self[name] = kinds.get(name, FakeMarkers)()
        return self[name]


class FakeCollection:
    """One aggregate document, the `outbox_published` markers beside it, and a write count."""

    name = "participants"

    def __init__(self, document):
        self.document = document
        self.database = FakeDatabase()
        self.writes = 0
        self.scans = 0

    @property
    def markers(self) -> set[str]:
        return self.database[outbox.MARKERS].ids

    @property
    def markers_lookups(self) -> int:
        return self.database[outbox.MARKERS].lookups

    def find(self, query, projection=None):
        self.scans += 1  # FerretDB reads the whole collection for this filter
        return [self.document] if self.document.get("outbox_pending") else []

    def find_one(self, query, projection=None):
        return self.document if query["_id"] == self.document["_id"] else None

    def update_one(self, query, update):
        self.writes += 1
        if "outbox" in query and self.document["outbox"] != query["outbox"]:
            return Result(0)
        self.document.update(update.get("$set", {}))
        return Result(1)

    def bulk_write(self, requests, ordered=True):
        for request in requests:
            self.update_one(request._filter, request._doc)


class FakeProducer:
    def __init__(self, acknowledge: int = 100):
        self.acknowledge = acknowledge
        self.sent = []
        self.calls = 0

    def publish(self, topic, events, timeout_s=10.0):
        self.calls += 1
        self.sent.extend(e.id for e in events)
        return [e.id for e in events[: self.acknowledge]]


def _aged(document, seconds):
    for entry in document["outbox"]:
        entry["staged_at"] -= timedelta(seconds=seconds)
    return document


def test_insert_carries_its_events_and_the_pending_flag():
    events = [_event(1), _event(2)]
    document = outbox.on_insert({"_id": "p-1", "agency": "FIA"}, TOPIC, events)
    assert document["agency"] == "FIA"
    assert document["outbox_pending"] is True
    assert [e["id"] for e in document["outbox"]] == [e.id for e in events]
    assert [(e["topic"], e["event"]["id"]) for e in document["outbox"]] == [
        (TOPIC, e.id) for e in events]


def test_update_keeps_the_callers_set_and_appends_events():
    event = _event(1)
    update = outbox.on_update({"$set": {"status": "withdrawn"}}, TOPIC, [event])
    assert update["$set"] == {"status": "withdrawn", "outbox_pending": True}
    assert [e["id"] for e in update["$push"]["outbox"]["$each"]] == [event.id]


def test_update_does_not_modify_the_callers_dict():
    original = {"$set": {"status": "withdrawn"}}
    outbox.on_update(original, TOPIC, [_event(1)])
    assert original == {"$set": {"status": "withdrawn"}}


def test_prompt_publish_records_acknowledged_events_without_writing_the_aggregate():
    document = outbox.on_insert({"_id": "p-1"}, TOPIC, [_event(1), _event(2), _event(3)])
    collection = FakeCollection(document)
    done = outbox.publish_unrecorded(collection, FakeProducer(acknowledge=2),
                                     document["outbox"], known=set())
    assert done == {e["id"] for e in document["outbox"][:2]}
    assert collection.markers == done
    assert collection.writes == 0
    assert len(collection.document["outbox"]) == 3


def test_recorded_events_are_not_published_again():
    document = outbox.on_insert({"_id": "p-1"}, TOPIC, [_event(1), _event(2)])
    collection = FakeCollection(document)
    collection.markers.add(document["outbox"][0]["id"])
    producer = FakeProducer()
    outbox.publish_unrecorded(collection, producer, document["outbox"])
    assert producer.sent == [document["outbox"][1]["id"]]


def _written(collection, events):
    """The aggregate's outbox after a write that added ``events``; returns the publish item."""
    collection.document["outbox"] += outbox.entries(TOPIC, events)
    return outbox._Written(collection, list(collection.document["outbox"]),
                           frozenset(e.id for e in events))


def test_queued_writes_go_out_together_in_order_and_once():
    collection = FakeCollection(outbox.on_insert({"_id": "p-1"}, TOPIC, []))
    first, second = [_event(1)], [_event(2), _event(3)]
    producer = FakeProducer()
    publisher = outbox.Publisher(producer)
    done = publisher.publish_batch([_written(collection, first), _written(collection, second)])
    assert producer.sent == [e.id for e in first + second]
    assert producer.calls == 1
    assert done == collection.markers == {e.id for e in first + second}
    assert collection.markers_lookups == 0  # every entry was either fresh or acked here
    assert collection.writes == 0


def test_an_older_entry_is_looked_up_once_and_not_sent_again_if_recorded():
    collection = FakeCollection(outbox.on_insert({"_id": "p-1"}, TOPIC, [_event(1)]))
    older = collection.document["outbox"][0]["id"]
    collection.markers.add(older)  # another process published it
    producer = FakeProducer()
    publisher = outbox.Publisher(producer)
    later = [_event(2)]
    publisher.publish_batch([_written(collection, later)])
    assert producer.sent == [later[0].id]
    assert collection.markers_lookups == 1
    publisher.publish_batch([_written(collection, [_event(3)])])
    assert collection.markers_lookups == 2  # the older one is still not known to this process
    assert older not in producer.sent


class HeldProducer(FakeProducer):
    """Acknowledges nothing until released, so the writes behind the first one queue up."""

    def __init__(self):
        super().__init__()
        self.asked, self.released = threading.Event(), threading.Event()

    def publish(self, topic, events, timeout_s=10.0):
        self.asked.set()
        self.released.wait(10)
        return super().publish(topic, events, timeout_s)


def test_acknowledgements_of_writes_close_together_are_recorded_in_one_insert():
    collection = FakeCollection(outbox.on_insert({"_id": "p-1"}, TOPIC, []))
    producer = HeldProducer()
    publisher = outbox.Publisher(producer)
    publisher.RECORD_EVERY_S = 1.0
    events = [_event(n) for n in range(3)]
    publisher.publish_soon(*_written(collection, events[:1]))
    assert producer.asked.wait(10)  # the first write is being published: the others queue
    for event in events[1:]:
        publisher.publish_soon(*_written(collection, [event]))
    producer.released.set()
    publisher.drain()
    assert collection.markers == {e.id for e in events}
    assert collection.database[outbox.MARKERS].inserts == 1
    assert producer.sent == [e.id for e in events]


def test_drain_waits_until_the_acknowledgements_are_recorded():
    collection = FakeCollection(outbox.on_insert({"_id": "p-1"}, TOPIC, []))
    publisher = outbox.Publisher(FakeProducer())
    [event] = [_event(1)]
    publisher.publish_soon(*_written(collection, [event]))
    publisher.drain()
    assert collection.markers == {event.id}


def test_a_few_older_entries_are_looked_up_without_reading_every_marker():
    collection = FakeCollection(outbox.on_insert({"_id": "s-1"}, TOPIC, [_event(1), _event(2)]))
    collection.markers.update(f"other-{n}" for n in range(5000))  # other documents' markers
    older = [e["id"] for e in collection.document["outbox"]]
    collection.markers.add(older[0])  # another process published the first one
    producer = FakeProducer()
    outbox.Publisher(producer).publish_batch([_written(collection, [_event(3)])])
    assert older[1] in producer.sent and older[0] not in producer.sent
    assert collection.database[outbox.MARKERS].read <= 2


def test_a_refused_event_stops_the_batch_and_is_left_for_the_relay():
    collection = FakeCollection(outbox.on_insert({"_id": "p-1"}, TOPIC, []))
    events = [_event(1), _event(2), _event(3)]
    done = outbox.Publisher(FakeProducer(acknowledge=1)).publish_batch(
        [_written(collection, events)])
    assert done == collection.markers == {events[0].id}


def test_relay_leaves_fresh_events_to_the_prompt_publisher():
    collection = FakeCollection(outbox.on_insert({"_id": "p-1"}, TOPIC, [_event(1)]))
    producer = FakeProducer()
    assert outbox_relay.OutboxRelay([collection], producer, grace_s=5).sweep() == 0
    assert producer.sent == []
    assert len(collection.document["outbox"]) == 1


def test_relay_publishes_what_a_crash_left_and_empties_the_quiet_outbox():
    collection = FakeCollection(_aged(outbox.on_insert({"_id": "p-1"}, TOPIC, [_event(1)]), 60))
    relay = outbox_relay.OutboxRelay([collection], FakeProducer(), grace_s=5, quiet_s=10)
    assert relay.sweep() == 1
    assert collection.document["outbox"] == []
    assert collection.document["outbox_pending"] is False
    assert collection.markers == set()  # markers go once their outbox is empty


def test_relay_keeps_a_recently_written_outbox_even_when_all_is_published():
    collection = FakeCollection(_aged(outbox.on_insert({"_id": "p-1"}, TOPIC, [_event(1)]), 6))
    relay = outbox_relay.OutboxRelay([collection], FakeProducer(), grace_s=5, quiet_s=30)
    assert relay.sweep() == 1
    assert len(collection.document["outbox"]) == 1  # may still be written by its owner
    assert relay.backlog() == 0


def test_relay_keeps_events_the_broker_did_not_acknowledge():
    collection = FakeCollection(_aged(outbox.on_insert({"_id": "p-1"}, TOPIC,
                                                       [_event(1), _event(2)]), 60))
    relay = outbox_relay.OutboxRelay([collection], FakeProducer(acknowledge=1), grace_s=5,
                                     quiet_s=10)
    assert relay.sweep() == 1
    assert len(collection.document["outbox"]) == 2
    assert relay.backlog() == 1


def test_staged_time_has_the_precision_the_database_keeps():
    [entry] = outbox.entries(TOPIC, [_event(1)])
    assert entry["staged_at"].microsecond % 1000 == 0
    assert entry["staged_at"] <= datetime.now(UTC)


def _flags(collection) -> dict:
    return collection.database[outbox_processes.DUE].flags


def test_the_relay_sweeps_once_when_none_ever_did_and_then_not_while_untold():
    collection = FakeCollection(outbox.on_insert({"_id": "p-1"}, TOPIC, []))
    relay = outbox_relay.OutboxRelay([collection], FakeProducer(), grace_s=5)
    for _ in range(12):
        relay.run_once()
    assert collection.scans == 1


def test_a_failed_prompt_publish_has_the_relay_sweep_until_it_sent_what_was_left():
    collection = FakeCollection(outbox.on_insert({"_id": "p-1"}, TOPIC, []))
    publisher = outbox.Publisher(FakeProducer(acknowledge=0))  # the broker refuses
    event = _event(1)
    publisher.publish_batch([_written(collection, [event])])
    collection.document["outbox_pending"] = True
    assert _flags(collection)
    producer = FakeProducer(acknowledge=0)
    relay = outbox_relay.OutboxRelay([collection], producer, grace_s=5, quiet_s=600)
    relay.run_once()  # told to: sweeps, but the entry is younger than the grace
    assert collection.scans == 1 and producer.sent == [] and _flags(collection)
    _aged(collection.document, 60)  # a minute later: as if every clock moved on
    for flag in _flags(collection):
        _flags(collection)[flag] -= timedelta(seconds=60)
    swept = collection.database[outbox_processes.PROCESSES].documents[outbox_processes.SWEPT]
    swept["before"] -= timedelta(seconds=60)
    relay.run_once()  # still refused: the relay tries again next interval
    assert producer.sent == [event.id]
    producer.acknowledge = 100
    relay.run_once()
    assert collection.markers == {event.id}
    scans = collection.scans
    relay.run_once()
    assert collection.scans == scans  # what it was told about is sent: no sweep


def test_a_process_publishing_for_the_first_time_does_not_ask_the_relays_to_sweep():
    collection = FakeCollection(outbox.on_insert({"_id": "p-1"}, TOPIC, []))
    publisher = outbox.Publisher(FakeProducer())
    for n in range(3):
        publisher.register(collection.database)
        publisher.publish_soon(*_written(collection, [_event(n)]))
    publisher.drain()
    assert collection.database[outbox_processes.DUE].asked == 0
    assert len(collection.database[outbox_processes.PROCESSES].documents) == 1


def test_the_flag_of_a_process_gone_long_ago_is_forgotten():
    collection = FakeCollection(outbox.on_insert({"_id": "p-1"}, TOPIC, []))
    _flags(collection)["host:1"] = datetime.now(UTC) - timedelta(hours=2)
    _flags(collection)["host:2"] = datetime.now(UTC) - timedelta(minutes=2)
    relay = outbox_relay.OutboxRelay([collection], FakeProducer(), grace_s=5)
    relay.run_once()
    assert set(_flags(collection)) == {"host:2"}
