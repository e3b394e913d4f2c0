"""The real processes, started as `make run` starts them, on free ports and a fresh stack."""

import os
import socket
import uuid
from pathlib import Path

import pytest

from common.auth import mint
from common.config import load
from common.topics import catalogue
from devstack import services
from devstack.infra import ensure_topics
from tests.conftest import remove_stack

# Checks what the whole e2e run put on the topics, so it runs after every other e2e test.
LAST = "test_events_match_the_asyncapi_catalogue.py"


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
    items.sort(key=lambda item: Path(str(item.fspath)).name == LAST)  # stable: others keep order


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def stack(kafka_bootstrap, mongo_uri, tmp_path_factory):
    name = f"e2e{uuid.uuid4().hex[:8]}"
    # Own databases, consumer groups and topics: a developer's `make run` on the same broker
    # never sees the tests' events, nor the tests its.
    env = {"STACK_NAME": name, "TOPIC_PREFIX": f"{name}.", "OUTBOX_RELAY_GRACE_SECONDS": "2",
           "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "MONGO_URI": mongo_uri}
    ensure_topics(kafka_bootstrap, list(catalogue(f"{name}.")))
    log_dir = Path(os.environ.get("E2E_LOG_DIR") or tmp_path_factory.mktemp("e2e-logs"))
    running = services.start(env, {s: _free_port() for s in services.SERVICES}, log_dir,
                             api_workers=2)
    running.topic_prefix = env["TOPIC_PREFIX"]  # read by `stack_topics`
    try:
        services.wait_ready(running, timeout_s=90)
        yield running
    finally:
        services.stop(running)
        remove_stack(name, mongo_uri, kafka_bootstrap)


@pytest.fixture(scope="session")
def stack_topics(stack):
    """The stack's topics by producing service, e.g. ``stack_topics["registration"]``, for
    tests that publish what another service will publish."""
    return {service: f"{stack.topic_prefix}{service}.events"
            for service in ("registration", "sessions", "notifications")}


@pytest.fixture(scope="session")
def tokens():
    settings = load("e2e")

    def bearer(*roles: str, facilitator_id: str = "e2e-facilitator") -> dict:
        token = mint(settings.jwt_secret, "e2e", list(roles), 3600, settings.jwt_audience,
                     settings.jwt_issuer,
                     facilitator_id=facilitator_id if "facilitator" in roles else None)
        return {"Authorization": f"Bearer {token}"}

    return bearer
