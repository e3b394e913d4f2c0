"""The real processes, started as `make run` starts them, on free ports and a fresh stack."""

import os
import socket
import uuid
from pathlib import Path

import pytest

from common.auth import mint
from common.config import load
from common.mongo import client
from devstack import services


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def stack(kafka_bootstrap, mongo_uri, tmp_path_factory):
    name = f"e2e{uuid.uuid4().hex[:8]}"
    env = {"STACK_NAME": name, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
           "MONGO_URI": mongo_uri, "OUTBOX_RELAY_GRACE_SECONDS": "2"}
    log_dir = Path(os.environ.get("E2E_LOG_DIR") or tmp_path_factory.mktemp("e2e-logs"))
    running = services.start(env, {s: _free_port() for s in services.SERVICES}, log_dir,
                             api_workers=2)
    try:
        services.wait_ready(running, timeout_s=90)
        yield running
    finally:
        services.stop(running)
        for db in client(mongo_uri).list_database_names():
            if db.startswith(f"{name}_"):
                client(mongo_uri).drop_database(db)


@pytest.fixture(scope="session")
def tokens():
    settings = load("e2e")

    def bearer(*roles: str) -> dict:
        token = mint(settings.jwt_secret, "e2e", list(roles), 3600, settings.jwt_audience,
                     settings.jwt_issuer)
        return {"Authorization": f"Bearer {token}"}

    return bearer
