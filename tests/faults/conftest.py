import uuid

import pytest

from common.topics import catalogue
from devstack import services
from devstack.infra import ensure_topics
from tests.faults.private import PrivateKafka, free_port


def pytest_collection_modifyitems(items):
    for item in items:
        if "/faults/" in str(item.fspath):
            item.add_marker(pytest.mark.faults)


@pytest.fixture
def stack_on_private_broker(mongo_uri, tmp_path):
    """Every API and worker, on a broker of the test's own (``stack.topic_prefix`` set)."""
    broker = PrivateKafka(tmp_path / "kafka-state", mongo_uri)
    broker.start()
    name = f"fault{uuid.uuid4().hex[:8]}"
    ensure_topics(broker.bootstrap, list(catalogue(f"{name}.")))
    env = {"STACK_NAME": name, "TOPIC_PREFIX": f"{name}.", "KAFKA_BOOTSTRAP_SERVERS":
           broker.bootstrap, "MONGO_URI": mongo_uri, "OUTBOX_RELAY_INTERVAL_SECONDS": "1",
           "OUTBOX_RELAY_GRACE_SECONDS": "2"}
    running = services.start(env, {s: free_port() for s in services.SERVICES},
                             tmp_path / "logs", api_workers=2)
    running.topic_prefix = env["TOPIC_PREFIX"]
    try:
        services.wait_ready(running, timeout_s=90)
        yield running, broker
    finally:
        services.stop(running)
        broker.stop()
