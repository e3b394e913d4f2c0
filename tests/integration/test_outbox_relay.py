"""The outbox on the real broker and database: nothing lost, nothing published twice."""

from common import outbox
from common.envelope import Event, new_event
from common.runtime import Runtime
from tests.conftest import read_topic


def test_event_left_behind_by_a_crash_is_published_once_by_the_relay(
        settings, make_topic, kafka_bootstrap, unique):
    topic = make_topic(f"it.{unique}.events")
    runtime = Runtime(settings("registration"), topic)
    participants = runtime.db["participants"]
    event = new_event("registration.participant.registered", f"p-{unique}", {"n": 1},
                      "registration")
    # The write happened; the process died before it could publish.
    participants.insert_one(outbox.on_insert({"_id": f"p-{unique}"}, topic, [event]))

    relay = runtime.outbox_relay(["participants"])
    assert relay.backlog() == 1
    assert relay.sweep() == 1
    assert relay.sweep() == 0  # a second sweep finds nothing left to publish

    records = read_topic(kafka_bootstrap, topic, until=lambda r: len(r) >= 1, settle_s=1.5)
    ids = [Event.from_bytes(r.value).id for r in records]
    assert ids == [event.id]
    assert records[0].key == f"p-{unique}".encode()
    assert dict(records[0].headers)["content-type"] == b"application/cloudevents+json"
    stored = participants.find_one({"_id": f"p-{unique}"})
    assert stored["outbox"] == []
    assert stored["outbox_pending"] is False
    runtime.producer.close()


def test_runtime_write_publishes_promptly_with_the_change(settings, make_topic,
                                                           kafka_bootstrap, unique):
    topic = make_topic(f"it.{unique}.events")
    runtime = Runtime(settings("sessions"), topic)
    event = runtime.event("sessions.session.scheduled", f"s-{unique}", {"title": "Coaching 1"})
    runtime.insert("sessions", {"_id": f"s-{unique}", "title": "Coaching 1"}, [event])
    records = read_topic(kafka_bootstrap, topic, until=lambda r: len(r) >= 1)
    assert [Event.from_bytes(r.value).id for r in records] == [event.id]
    runtime.publisher.drain()
    assert runtime.db["sessions"].find_one({"_id": f"s-{unique}"})["outbox"] == []

    changed = runtime.update("sessions", {"_id": f"s-{unique}"}, {"$set": {"capacity": 24}},
                             [runtime.event("sessions.session.rescheduled", f"s-{unique}", {})])
    assert changed["capacity"] == 24
    records = read_topic(kafka_bootstrap, topic, until=lambda r: len(r) >= 2)
    assert len(records) == 2
    runtime.producer.close()
