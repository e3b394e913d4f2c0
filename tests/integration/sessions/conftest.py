"""Sessions' integration fixtures: its API through the Flask test client, its handlers, and its
worker's consumer loop, each on a throwaway stack of the real broker and database."""

import threading

import pytest

from common.auth import mint
from common.consumer_loop import ConsumerLoop
from common.dispatch import Dispatcher, ProcessedEvents
from common.envelope import new_event
from common.producer import EventProducer
from common.runtime import Runtime
from common.topics import dlq
from services.sessions.app import create_app
from services.sessions.handlers import build_registry
from services.sessions.indexes import ensure_indexes


def _caller(config, client):
    """``call(method, path, role=..., address=...)``: a request with a fresh token for ``role``
    (none when ``role`` is None) from the client address ``address``."""

    def call(method, path, role="coordinator", address="10.0.0.1", **kwargs):
        headers = kwargs.pop("headers", {})
        if role:
            headers = {"Authorization": "Bearer " + mint(
                config.jwt_secret, "tester", [role], 600, config.jwt_audience,
                config.jwt_issuer), **headers}
        return client.open(path, method=method, headers=headers,
                           environ_base={"REMOTE_ADDR": address}, **kwargs)

    return call


@pytest.fixture
def api(settings, make_topic, unique):
    """(call, runtime): sessions' API on its own topic and databases."""
    config = settings("sessions")
    runtime = Runtime(config, make_topic(f"it.{unique}.sessions"), indexes=ensure_indexes)
    yield _caller(config, create_app(runtime).test_client()), runtime
    runtime.producer.close()


@pytest.fixture
def certifying(settings, make_topic, unique, monkeypatch):
    """(call, runtime, deliver): the API with 5 verifications a minute per address, and
    ``deliver`` handing an event to sessions' own handler as its worker would."""
    monkeypatch.setenv("CERTIFICATE_VERIFY_LIMIT", "5/60")
    config = settings("sessions")
    topic = make_topic(f"it.{unique}.sessions")
    runtime = Runtime(config, topic, indexes=ensure_indexes)
    registry = build_registry(runtime, topic="it.registration", own_topic=topic)

    def deliver(topic_, type_, subject, data):
        event = new_event(type_, subject, data, "test")
        subscription = registry.find(topic_, type_)
        subscription.handler(event, subscription.schema.load(event.data))
        for flush in registry.flushers:  # a batch of one, as the worker's dispatcher ends it
            flush()

    yield _caller(config, create_app(runtime).test_client()), runtime, deliver
    runtime.producer.close()


@pytest.fixture
def projection(settings, make_topic, kafka_bootstrap, unique):
    """(publish, runtime): a sessions worker's consumer loop over a throwaway registration
    topic, and ``publish`` putting events on that topic."""
    config = settings("sessions")
    topic = make_topic(f"it.{unique}.registration")
    make_topic(dlq(topic))
    runtime = Runtime(config, make_topic(f"it.{unique}.sessions"), indexes=ensure_indexes)
    runtime.prepare()
    dispatcher = Dispatcher(build_registry(runtime, topic),
                            ProcessedEvents(runtime.db["processed_events"]), max_attempts=2,
                            backoff_s=0.01)
    loop = ConsumerLoop(config.kafka_bootstrap, config.consumer_group, [topic], dispatcher,
                        runtime.producer)
    stop = threading.Event()
    thread = threading.Thread(target=loop.run, args=(stop,), daemon=True)
    thread.start()
    producer = EventProducer(kafka_bootstrap, "it-registration")

    def publish(*events):
        assert producer.publish(topic, list(events)) == [e.id for e in events]

    yield publish, runtime
    stop.set()
    thread.join(timeout=20)
    producer.close()
    runtime.producer.close()
