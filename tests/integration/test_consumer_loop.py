"""The consumer loop on the real broker: dead letters, flow after a poison message, duplicates."""

import threading

from marshmallow import Schema, fields

from common.consumer_loop import ConsumerLoop
from common.dispatch import Dispatcher, ProcessedEvents, Registry
from common.envelope import Event, new_event
from common.mongo import database
from common.producer import EventProducer
from common.topics import dlq
from tests.conftest import read_topic, wait_for

TYPE_OK = "registration.participant.registered"
TYPE_POISON = "registration.participant.updated"


class Payload(Schema):
    participant_id = fields.String(required=True)


def _run_loop(settings, topic, registry, producer):
    config = settings("notifications")
    dispatcher = Dispatcher(registry, ProcessedEvents(database(config)["processed_events"]),
                            max_attempts=3, backoff_s=0.01)
    loop = ConsumerLoop(config.kafka_bootstrap, config.consumer_group, [topic], dispatcher,
                        producer)
    stop = threading.Event()
    thread = threading.Thread(target=loop.run, args=(stop,), daemon=True)
    thread.start()
    return stop, thread


def test_always_failing_handler_dead_letters_and_the_next_message_flows(
        settings, make_topic, kafka_bootstrap, unique):
    topic = make_topic(f"it.{unique}.events")
    make_topic(dlq(topic))
    effects, attempts = [], []
    registry = Registry()

    @registry.on(topic, TYPE_POISON, Payload())
    def poison(event, payload):
        attempts.append(event.id)
        raise RuntimeError("cannot apply this update")

    @registry.on(topic, TYPE_OK, Payload())
    def fine(event, payload):
        effects.append(event.id)

    producer = EventProducer(kafka_bootstrap, "it-producer")
    subject = f"p-{unique}"  # same key: same partition, so the good one waits behind the bad
    bad = new_event(TYPE_POISON, subject, {"participant_id": subject}, "registration")
    good = new_event(TYPE_OK, subject, {"participant_id": subject}, "registration")
    assert producer.publish(topic, [bad, good]) == [bad.id, good.id]

    stop, thread = _run_loop(settings, topic, registry, producer)
    try:
        wait_for(lambda: good.id in effects, timeout_s=30)
        dead = read_topic(kafka_bootstrap, dlq(topic), until=lambda r: len(r) >= 1)
    finally:
        stop.set()
        thread.join(timeout=20)
    assert attempts == [bad.id] * 3
    assert [Event.from_bytes(r.value).id for r in dead] == [bad.id]
    headers = dict(dead[0].headers)
    assert headers["dlq-attempts"] == b"3"
    assert b"cannot apply this update" in headers["dlq-error"]
    assert headers["dlq-consumer-group"].endswith(b".notifications")
    producer.close()


def test_same_event_delivered_twice_has_its_effect_once(settings, make_topic, kafka_bootstrap,
                                                        unique):
    topic = make_topic(f"it.{unique}.events")
    make_topic(dlq(topic))
    effects = []
    registry = Registry()
    registry.on(topic, TYPE_OK, Payload())(lambda event, payload: effects.append(event.id))
    producer = EventProducer(kafka_bootstrap, "it-producer")
    event = new_event(TYPE_OK, f"p-{unique}", {"participant_id": f"p-{unique}"},
                      "registration")
    marker = new_event(TYPE_OK, f"p-{unique}", {"participant_id": "last"}, "registration")
    producer.publish(topic, [event, event, marker])

    stop, thread = _run_loop(settings, topic, registry, producer)
    try:
        wait_for(lambda: marker.id in effects, timeout_s=30)
    finally:
        stop.set()
        thread.join(timeout=20)
    assert effects == [event.id, marker.id]
    producer.close()
