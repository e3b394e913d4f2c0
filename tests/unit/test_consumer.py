import pytest
from marshmallow import Schema, fields
from pymongo.errors import ServerSelectionTimeoutError

from common.dispatch import (
    DependencyUnavailableError,
    Dispatcher,
    Outcome,
    Registry,
    dlq_headers,
)
from common.envelope import new_event

TOPIC = "registration.events"
TYPE = "registration.participant.registered"


class Payload(Schema):
    participant_id = fields.String(required=True)


class FakeProcessed:
    def __init__(self):
        self.ids = set()

    def seen(self, event_id):
        return event_id in self.ids

    def record_many(self, events):
        self.ids.update(event.id for event in events)


def _dispatcher(handler, attempts=3):
    registry = Registry()
    registry.on(TOPIC, TYPE, Payload())(handler)
    sleeps = []
    dispatcher = Dispatcher(registry, FakeProcessed(), max_attempts=attempts, backoff_s=0.1,
                            sleep=sleeps.append)
    return dispatcher, sleeps


def _raw(data=None, type_=TYPE):
    return new_event(type_, "p-1", data or {"participant_id": "p-1"}, "registration").to_bytes()


def test_handled_event_is_recorded_and_not_applied_twice():
    calls = []
    dispatcher, _ = _dispatcher(lambda event, payload: calls.append(payload))
    raw = _raw()
    assert dispatcher.dispatch(TOPIC, raw) == Outcome("handled", attempts=1)
    assert dispatcher.dispatch(TOPIC, raw).action == "duplicate"
    assert calls == [{"participant_id": "p-1"}]


def test_failing_handler_is_retried_with_backoff_then_dead_lettered():
    calls = []

    def always_fails(event, payload):
        calls.append(1)
        raise RuntimeError("template missing")

    dispatcher, sleeps = _dispatcher(always_fails, attempts=3)
    outcome = dispatcher.dispatch(TOPIC, _raw())
    assert outcome.action == "dead_letter"
    assert outcome.attempts == 3
    assert "template missing" in outcome.error
    assert len(calls) == 3
    assert sleeps == [0.1, 0.2]


def test_handler_that_recovers_on_a_retry_is_handled():
    calls = []

    def flaky(event, payload):
        calls.append(1)
        if len(calls) < 2:
            raise RuntimeError("transient")

    dispatcher, _ = _dispatcher(flaky)
    assert dispatcher.dispatch(TOPIC, _raw()) == Outcome("handled", attempts=2)


def test_payload_its_schema_rejects_is_dead_lettered_naming_the_field():
    dispatcher, _ = _dispatcher(lambda event, payload: None, attempts=2)
    outcome = dispatcher.dispatch(TOPIC, _raw(data={"wrong": 1}))
    assert outcome.action == "dead_letter"
    assert "participant_id" in outcome.error


def test_invalid_envelope_is_dead_lettered_at_once():
    dispatcher, sleeps = _dispatcher(lambda event, payload: None)
    outcome = dispatcher.dispatch(TOPIC, b'{"not": "an event"}')
    assert outcome.action == "dead_letter"
    assert outcome.attempts == 1
    assert sleeps == []


def test_event_type_nobody_handles_is_ignored():
    dispatcher, _ = _dispatcher(lambda event, payload: None)
    assert dispatcher.dispatch(TOPIC, _raw(type_="registration.participant.erased")).action \
        == "ignored"


def test_database_outage_is_not_dead_lettered():
    def database_down(event, payload):
        raise ServerSelectionTimeoutError("no servers")

    dispatcher, _ = _dispatcher(database_down)
    with pytest.raises(DependencyUnavailableError):
        dispatcher.dispatch(TOPIC, _raw())


def test_dlq_headers_name_group_error_attempts_and_origin():
    outcome = Outcome("dead_letter", attempts=5, error="boom")
    headers = dict(dlq_headers([("content-type", b"x"), ("dlq-error", b"old")], "glo.notifications",
                               outcome, TOPIC, 2, 41))
    assert headers["dlq-consumer-group"] == b"glo.notifications"
    assert headers["dlq-error"] == b"boom"
    assert headers["dlq-attempts"] == b"5"
    assert headers["dlq-original-topic"] == TOPIC.encode()
    assert headers["dlq-original-offset"] == b"41"
    assert headers["content-type"] == b"x"


def test_registry_lists_its_topics():
    registry = Registry()
    registry.on("sessions.events", "sessions.session.scheduled", Payload())(lambda e, p: None)
    registry.on(TOPIC, TYPE, Payload())(lambda e, p: None)
    assert registry.topics == ["registration.events", "sessions.events"]


def test_a_batch_runs_its_flushers_once_then_records_its_handled_events():
    happened = []
    dispatcher, _ = _dispatcher(lambda event, payload: happened.append("handled"))
    dispatcher.registry.after_batch(lambda: happened.append(
        f"flushed with {len(dispatcher.processed.ids)} recorded"))
    outcomes = dispatcher.dispatch_batch([(TOPIC, _raw()) for _ in range(3)])
    assert [o.action for o in outcomes] == ["handled"] * 3
    assert happened == ["handled"] * 3 + ["flushed with 0 recorded"]
    assert len(dispatcher.processed.ids) == 3


def test_a_batch_whose_flush_meets_a_database_outage_is_not_recorded_and_waits():
    dispatcher, _ = _dispatcher(lambda event, payload: None)

    def database_down():
        raise ServerSelectionTimeoutError("no servers")

    dispatcher.registry.after_batch(database_down)
    raw = _raw()
    with pytest.raises(DependencyUnavailableError):
        dispatcher.dispatch_batch([(TOPIC, raw)])
    assert dispatcher.processed.ids == set()  # redelivered, it is handled again


def test_an_event_twice_in_one_batch_has_its_effect_once():
    effects = []
    dispatcher, _ = _dispatcher(lambda event, payload: effects.append(event.id))
    raw = _raw()
    outcomes = dispatcher.dispatch_batch([(TOPIC, raw), (TOPIC, raw)])
    assert [o.action for o in outcomes] == ["handled", "duplicate"]
    assert len(effects) == 1


class _Record:
    def __init__(self, partition, offset, raw):
        self.topic, self.partition, self.offset, self.value = TOPIC, partition, offset, raw
        self.key, self.headers = b"k", []


class _PolledConsumer:
    """A KafkaConsumer that answers one poll with the given partitions' records."""

    def __init__(self, batches):
        self.batches, self.commits, self.seeks = batches, [], []

    def poll(self, timeout_ms):
        batches, self.batches = self.batches, {}
        return batches

    def commit(self, offsets):
        self.commits.append({p: o.offset for p, o in offsets.items()})

    def seek(self, partition, offset):
        self.seeks.append((partition, offset))


def _loop_over(dispatcher, batches):
    import threading

    from common.consumer_loop import ConsumerLoop
    loop = ConsumerLoop("unused:0", "group", [TOPIC], dispatcher, producer=None)
    loop.consumer = _PolledConsumer(batches)
    loop._poll_once(threading.Event())
    return loop.consumer


def test_a_polls_partitions_are_one_batch_flushed_once_and_committed_together():
    calls, flushes = [], []
    dispatcher, _ = _dispatcher(lambda event, payload: calls.append(payload))
    dispatcher.registry.after_batch(lambda: flushes.append(len(calls)))
    consumer = _loop_over(dispatcher, {0: [_Record(0, 7, _raw()), _Record(0, 8, _raw())],
                                       1: [_Record(1, 3, _raw())]})
    assert len(calls) == 3
    assert flushes == [3]  # once, after every partition's records
    assert consumer.commits == [{0: 9, 1: 4}]


def test_a_poll_met_by_an_outage_is_read_again_from_each_partitions_first_record():
    def flush():
        raise ServerSelectionTimeoutError("down")

    dispatcher, _ = _dispatcher(lambda event, payload: None)
    dispatcher.registry.after_batch(flush)
    consumer = _loop_over(dispatcher, {0: [_Record(0, 7, _raw())], 1: [_Record(1, 3, _raw())]})
    assert consumer.commits == []
    assert sorted(consumer.seeks) == [(0, 7), (1, 3)]


def test_a_repeat_safe_events_record_is_not_read_before_it_is_handled_but_is_written():
    class Counting(FakeProcessed):
        reads = 0

        def seen(self, event_id):
            Counting.reads += 1
            return super().seen(event_id)

    registry, calls = Registry(), []
    registry.on(TOPIC, TYPE, Payload(), repeat_safe=True)(
        lambda event, payload: calls.append(payload))
    processed = Counting()
    dispatcher = Dispatcher(registry, processed, max_attempts=1)
    raw = _raw()
    assert dispatcher.dispatch(TOPIC, raw).action == "handled"
    assert dispatcher.dispatch(TOPIC, raw).action == "handled"  # its handler tolerates it
    assert Counting.reads == 0
    assert len(processed.ids) == 1
    assert len(calls) == 2
