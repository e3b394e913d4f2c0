from datetime import UTC, datetime, timedelta

from common import outbox
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

    def find(self, query, projection=None):
        return [{"_id": i} for i in query["_id"]["$in"] if i in self.ids]

    def insert_many(self, documents, ordered=True):
        self.ids |= {d["_id"] for d in documents}

    def delete_many(self, query):
        self.ids -= set(query["_id"]["$in"])


class FakeDatabase(dict):
    def __missing__(self, name):
        self[name] = FakeMarkers()
        return self[name]


class FakeCollection:
    """One aggregate document, the `outbox_published` markers beside it, and a write count."""

    def __init__(self, document):
        self.document = document
        self.database = FakeDatabase()
        self.writes = 0

    @property
    def markers(self) -> set[str]:
        return self.database[outbox.MARKERS].ids

    def find(self, query, projection=None):
        return [self.document] if self.document.get("outbox_pending") else []

    def update_one(self, query, update):
        self.writes += 1
        if "outbox" in query and self.document["outbox"] != query["outbox"]:
            return Result(0)
        self.document.update(update.get("$set", {}))
        return Result(1)


class FakeProducer:
    def __init__(self, acknowledge: int = 100):
        self.acknowledge = acknowledge
        self.sent = []

    def publish(self, topic, events, timeout_s=10.0):
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


def test_relay_leaves_fresh_events_to_the_prompt_publisher():
    collection = FakeCollection(outbox.on_insert({"_id": "p-1"}, TOPIC, [_event(1)]))
    producer = FakeProducer()
    assert outbox.OutboxRelay([collection], producer, grace_s=5).sweep() == 0
    assert producer.sent == []
    assert len(collection.document["outbox"]) == 1


def test_relay_publishes_what_a_crash_left_and_empties_the_quiet_outbox():
    collection = FakeCollection(_aged(outbox.on_insert({"_id": "p-1"}, TOPIC, [_event(1)]), 60))
    relay = outbox.OutboxRelay([collection], FakeProducer(), grace_s=5, quiet_s=10)
    assert relay.sweep() == 1
    assert collection.document["outbox"] == []
    assert collection.document["outbox_pending"] is False
    assert collection.markers == set()  # markers go once their outbox is empty


def test_relay_keeps_a_recently_written_outbox_even_when_all_is_published():
    collection = FakeCollection(_aged(outbox.on_insert({"_id": "p-1"}, TOPIC, [_event(1)]), 6))
    relay = outbox.OutboxRelay([collection], FakeProducer(), grace_s=5, quiet_s=30)
    assert relay.sweep() == 1
    assert len(collection.document["outbox"]) == 1  # may still be written by its owner
    assert relay.backlog() == 0


def test_relay_keeps_events_the_broker_did_not_acknowledge():
    collection = FakeCollection(_aged(outbox.on_insert({"_id": "p-1"}, TOPIC,
                                                       [_event(1), _event(2)]), 60))
    relay = outbox.OutboxRelay([collection], FakeProducer(acknowledge=1), grace_s=5, quiet_s=10)
    assert relay.sweep() == 1
    assert len(collection.document["outbox"]) == 2
    assert relay.backlog() == 1


def test_staged_time_has_the_precision_the_database_keeps():
    [entry] = outbox.entries(TOPIC, [_event(1)])
    assert entry["staged_at"].microsecond % 1000 == 0
    assert entry["staged_at"] <= datetime.now(UTC)
