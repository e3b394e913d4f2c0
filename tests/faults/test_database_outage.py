"""FerretDB stops: readiness and writes answer 503 with a clear body; it restarts: the services
recover by themselves, without a restart."""

import uuid

import pytest
import requests

from common.auth import mint
from common.config import load
from common.topics import catalogue
from devstack import services
from devstack.infra import ensure_topics
from tests.conftest import wait_for
from tests.faults.private import PrivateFerretDB, free_port


@pytest.fixture
def stack_on_private_database(kafka_bootstrap, tmp_path):
    database = PrivateFerretDB(tmp_path / "ferretdb")
    database.start()
    name = f"fault{uuid.uuid4().hex[:8]}"
    ensure_topics(kafka_bootstrap, list(catalogue(f"{name}.")))
    env = {"STACK_NAME": name, "TOPIC_PREFIX": f"{name}.", "MONGO_URI": database.uri,
           "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap}
    running = services.start(env, {s: free_port() for s in services.SERVICES},
                             tmp_path / "logs", api_workers=1)
    try:
        services.wait_ready(running, timeout_s=90)
        yield running, database
    finally:
        services.stop(running)
        database.kill()


def _coordinator() -> dict:
    settings = load("faults")
    return {"Authorization": "Bearer " + mint(settings.jwt_secret, "faults", ["coordinator"],
                                              600, settings.jwt_audience, settings.jwt_issuer)}


def _participant() -> dict:
    tag = uuid.uuid4().hex[:8]
    return {"given_name": "Rabia", "family_name": "Aslam", "gender": "female",
            "agency": "Federal Investigation Agency", "email": f"rabia.{tag}@example.org",
            "consent": {"policy_version": "2021-01", "given_at": "2021-03-01T09:00:00Z"}}


def test_database_outage_gives_503_and_the_services_recover_by_themselves(
        stack_on_private_database):
    stack, database = stack_on_private_database
    registration = stack.urls["registration"]
    before = requests.post(f"{registration}/participants", json=_participant(),
                           headers=_coordinator(), timeout=10)
    assert before.status_code == 201, before.text

    database.kill()

    def unready() -> dict | None:
        answer = requests.get(f"{registration}/health/ready", timeout=15)
        return answer.json() if answer.status_code == 503 else None

    # Readiness answers from its last background check (every second): the next one notices.
    ready = wait_for(unready, timeout_s=15, interval_s=0.2)
    assert any("mongodb" in reason.lower() for reason in ready["reasons"]), ready
    refused = requests.post(f"{registration}/participants", json=_participant(),
                            headers=_coordinator(), timeout=15)
    assert refused.status_code == 503
    assert "database" in refused.json()["message"]
    assert requests.get(f"{registration}/health/live", timeout=5).status_code == 200

    database.start()
    wait_for(lambda: requests.get(f"{registration}/health/ready", timeout=15).status_code == 200,
             timeout_s=60)
    after = requests.post(f"{registration}/participants", json=_participant(),
                          headers=_coordinator(), timeout=10)
    assert after.status_code == 201, after.text
    found = requests.get(f"{registration}/participants/{before.json()['id']}",
                         headers=_coordinator(), timeout=10)
    assert found.status_code == 200
