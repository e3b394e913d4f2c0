"""After a fix, replaying the dead letters applies each once; a second replay does nothing."""

import threading

from marshmallow import Schema, fields

from common import dlq
from common.consumer_loop import ConsumerLoop
from common.dispatch import Dispatcher, ProcessedEvents, Registry
from common.envelope import new_event
from common.mongo import database
from common.producer import EventProducer
from tests.conftest import wait_for

TYPE = "sessions.session.scheduled"


class Payload(Schema):
    session_id = fields.String(required=True)


def test_replayed_dead_letter_is_applied_once_after_the_fix(settings, make_topic,
                                                            kafka_bootstrap, unique):
    topic = make_topic(f"it.{unique}.events")
    make_topic(dlq.dlq(topic))
    config = settings("registration")
    fixed = threading.Event()
    applied = []
    registry = Registry()

    @registry.on(topic, TYPE, Payload())
    def project(event, payload):
        if not fixed.is_set():
            raise RuntimeError("venue missing from the projection")
        applied.append(event.id)

    producer = EventProducer(kafka_bootstrap, "it-dlq")
    event = new_event(TYPE, f"s-{unique}", {"session_id": f"s-{unique}"}, "sessions")
    producer.publish(topic, [event])
    dispatcher = Dispatcher(registry, ProcessedEvents(database(config)["processed_events"]),
                            max_attempts=2, backoff_s=0.01)
    loop = ConsumerLoop(kafka_bootstrap, config.consumer_group, [topic], dispatcher, producer)
    stop = threading.Event()
    thread = threading.Thread(target=loop.run, args=(stop,), daemon=True)
    thread.start()
    try:
        letters = wait_for(lambda: dlq.list_dead_letters(kafka_bootstrap, topic, idle_s=0.5),
                           timeout_s=30)
        assert [letter.event_id for letter in letters] == [event.id]
        assert applied == []

        fixed.set()
        group = f"{config.stack}.dlq-replay"
        assert dlq.replay(kafka_bootstrap, topic, group, producer, idle_s=0.5) == 1
        wait_for(lambda: applied, timeout_s=30)
        assert dlq.replay(kafka_bootstrap, topic, group, producer, idle_s=0.5) == 0
    finally:
        stop.set()
        thread.join(timeout=20)
    assert applied == [event.id]
    producer.close()
