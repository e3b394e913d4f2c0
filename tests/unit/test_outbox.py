from datetime import UTC, datetime, timedelta

from common import outbox
from common.envelope import new_event


def _event(n: int):
    return new_event("registration.participant.registered", "p-1", {"n": n}, "registration")


class FakeCollection:
    """Just enough of a collection to hold one document and apply $pull / $set."""

    def __init__(self, document):
        self.document = document
        self.updates = 0

    def find_one(self, query, projection=None):
        return self.document if query["_id"] == self.document["_id"] else None

    def update_one(self, query, update):
        self.updates += 1
        if "outbox" in query and self.document["outbox"] != query["outbox"]:
            return Result(0)
        if "$pullAll" in update:
            gone = update["$pullAll"]["outbox"]
            self.document["outbox"] = [e for e in self.document["outbox"] if e not in gone]
        self.document.update(update.get("$set", {}))
        return Result(1)


class Result:
    def __init__(self, matched_count):
        self.matched_count = matched_count


class FakeProducer:
    def __init__(self, acknowledge: int):
        self.acknowledge = acknowledge
        self.sent = []

    def publish(self, topic, events, timeout_s=10.0):
        self.sent.extend((topic, e.id) for e in events)
        return [e.id for e in events[: self.acknowledge]]


def test_insert_carries_its_events_and_the_pending_flag():
    events = [_event(1), _event(2)]
    document = outbox.on_insert({"_id": "p-1", "agency": "FIA"}, "registration.events", events)
    assert document["agency"] == "FIA"
    assert document["outbox_pending"] is True
    assert [e["id"] for e in document["outbox"]] == [e.id for e in events]
    assert outbox.pending_events(document) == [("registration.events", e) for e in events]


def test_update_keeps_the_callers_set_and_appends_events():
    event = _event(1)
    update = outbox.on_update({"$set": {"status": "withdrawn"}}, "registration.events", [event])
    assert update["$set"] == {"status": "withdrawn", "outbox_pending": True}
    assert [e["id"] for e in update["$push"]["outbox"]["$each"]] == [event.id]


def test_update_does_not_modify_the_callers_dict():
    original = {"$set": {"status": "withdrawn"}}
    outbox.on_update(original, "registration.events", [_event(1)])
    assert original == {"$set": {"status": "withdrawn"}}


def test_only_acknowledged_events_leave_the_outbox():
    events = [_event(1), _event(2), _event(3)]
    collection = FakeCollection(outbox.on_insert({"_id": "p-1"}, "registration.events", events))
    published = outbox.publish_document(collection, FakeProducer(acknowledge=2), "p-1")
    assert published == 2
    assert [e["id"] for e in collection.document["outbox"]] == [events[2].id]
    assert collection.document["outbox_pending"] is True


def test_flag_clears_when_everything_was_acknowledged():
    collection = FakeCollection(outbox.on_insert({"_id": "p-1"}, "registration.events",
                                                 [_event(1)]))
    outbox.publish_document(collection, FakeProducer(acknowledge=5), "p-1")
    assert collection.document["outbox"] == []
    assert collection.document["outbox_pending"] is False


def test_relay_leaves_fresh_events_to_the_prompt_publisher():
    collection = FakeCollection(outbox.on_insert({"_id": "p-1"}, "registration.events",
                                                 [_event(1)]))
    producer = FakeProducer(acknowledge=5)
    cutoff = datetime.now(UTC) - timedelta(seconds=5)
    assert outbox.publish_document(collection, producer, "p-1", older_than=cutoff) == 0
    assert producer.sent == []
    assert len(collection.document["outbox"]) == 1


def test_fresh_entries_are_published_and_cleared_in_one_update():
    document = outbox.on_insert({"_id": "p-1"}, "registration.events", [_event(1), _event(2)])
    collection = FakeCollection(document)
    staged = outbox.staged_entries(document)
    assert outbox.publish_entries(collection, FakeProducer(acknowledge=5), "p-1", staged) == 2
    assert collection.document["outbox"] == []
    assert collection.document["outbox_pending"] is False
    assert collection.updates == 1


def test_fresh_entries_behind_older_ones_leave_the_older_ones_waiting():
    older = outbox.on_insert({"_id": "p-1"}, "registration.events", [_event(1)])
    update = outbox.on_update({}, "registration.events", [_event(2)])
    staged = outbox.staged_entries(update)
    collection = FakeCollection({**older, "outbox": older["outbox"] + staged})
    assert outbox.publish_entries(collection, FakeProducer(acknowledge=5), "p-1", staged) == 1
    assert collection.document["outbox"] == older["outbox"]
    assert collection.document["outbox_pending"] is True


def test_staged_time_has_the_precision_the_database_keeps():
    [entry] = outbox.entries("registration.events", [_event(1)])
    assert entry["staged_at"].microsecond % 1000 == 0
