"""Seats under contention: two real gunicorn API processes on one session of capacity 20."""

import json
import os
import socket
import subprocess
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from common.auth import mint
from common.envelope import Event
from common.runtime import Runtime
from devstack import services
from services.registration.indexes import ensure_indexes
from tests.conftest import read_topic
from tests.integration.registration.helpers import deliver, profile_of, scheduled

CAPACITY, REQUESTS = 20, 24


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def two_apis(settings, make_topic, unique, monkeypatch, tmp_path, kafka_bootstrap, mongo_uri):
    """Two registration API processes sharing one throwaway database and topic."""
    prefix = f"it{unique}."
    topic = make_topic(f"{prefix}registration.events")
    config = settings("registration")
    runtime = Runtime(config, topic, indexes=ensure_indexes)
    runtime.prepare()
    env = {"STACK_NAME": config.stack, "TOPIC_PREFIX": prefix,
           "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "MONGO_URI": mongo_uri}
    stack = services.Stack(urls={}, log_dir=tmp_path)
    for name in ("api-a", "api-b"):
        port = _free_port()
        log = Path(tmp_path / f"{name}.log")
        with open(log, "ab") as out:
            popen = subprocess.Popen(services.api_command("registration", port, workers=1),
                                     env={**os.environ, **env}, stdout=out,
                                     stderr=subprocess.STDOUT, start_new_session=True,
                                     cwd=Path(__file__).resolve().parents[2])
        stack.processes.append(services.Process(name, popen, log))
        stack.urls[name] = f"http://127.0.0.1:{port}"
    try:
        services.wait_ready(stack, timeout_s=60)
        yield list(stack.urls.values()), runtime, config
    finally:
        services.stop(stack)
        runtime.producer.close()


def _headers(config):
    token = mint(config.jwt_secret, "tester", ["coordinator"], 600, config.jwt_audience,
                 config.jwt_issuer)
    return {"Authorization": f"Bearer {token}"}


def test_24_simultaneous_requests_on_20_seats_confirm_20_and_waitlist_4_in_order(
        two_apis, unique, kafka_bootstrap):
    urls, runtime, config = two_apis
    headers = _headers(config)
    session_id = str(uuid.uuid4())
    deliver(runtime, "sessions.session.scheduled", scheduled(session_id, CAPACITY))
    officers = []
    for n in range(REQUESTS):
        created = requests.post(f"{urls[n % 2]}/participants", json=profile_of(f"{n}{unique}"),
                                headers=headers, timeout=10)
        assert created.status_code == 201, created.text
        officers.append(created.json()["id"])

    start = threading.Barrier(REQUESTS)

    def enroll(n):
        start.wait()
        return requests.post(f"{urls[n % 2]}/enrollments", headers=headers, timeout=60,
                             json={"participant_id": officers[n], "session_id": session_id})

    with ThreadPoolExecutor(REQUESTS) as pool:
        answers = list(pool.map(enroll, range(REQUESTS)))

    assert [a.status_code for a in answers] == [201] * REQUESTS, [a.text for a in answers]
    bodies = [a.json() for a in answers]
    confirmed = [b for b in bodies if b["status"] == "confirmed"]
    waitlisted = sorted((b for b in bodies if b["status"] == "waitlisted"),
                        key=lambda b: b["position"])
    assert len(confirmed) == CAPACITY
    assert [b["position"] for b in waitlisted] == [1, 2, 3, 4]
    # Arrival order: the places follow the order in which the seat log decided them.
    # (requests waiting for the same turn share an entry: its changes are in order)
    decided = [change for entry in
               runtime.db["seat_log"].find({"session_id": session_id}).sort("seq", 1)
               if entry["kind"] == "enrolled" for change in entry["changes"]]
    assert [c["participant_id"] for c in decided if c["status"] == "waitlisted"] == [
        b["participant_id"] for b in waitlisted]
    assert len(decided) == REQUESTS

    seats = requests.get(f"{urls[0]}/sessions/{session_id}", headers=headers, timeout=10).json()
    assert (seats["confirmed"], seats["seats_left"]) == (CAPACITY, 0)
    assert [w["enrollment_id"] for w in seats["waiting_list"]] == [b["id"] for b in waitlisted]
    assert len({b["participant_id"] for b in bodies}) == REQUESTS

    records = read_topic(kafka_bootstrap, runtime.topic, settle_s=1.0,
                         until=lambda r: sum(b"registration.enrollment." in x.value
                                             for x in r) >= REQUESTS)
    published = [Event.from_bytes(r.value) for r in records
                 if b"registration.enrollment." in r.value]
    assert sorted(e.type.rsplit(".", 1)[1] for e in published) == (
        ["confirmed"] * CAPACITY + ["waitlisted"] * 4)
    assert len({e.subject for e in published}) == REQUESTS

    # A withdrawal on the other process promotes the first waitlisted participant.
    withdrawn = requests.post(f"{urls[1]}/enrollments/{confirmed[0]['id']}/withdrawal",
                              headers=headers, timeout=10)
    assert withdrawn.json()["status"] == "withdrawn"
    first = requests.get(f"{urls[0]}/enrollments/{waitlisted[0]['id']}", headers=headers,
                         timeout=10).json()
    assert first["status"] == "confirmed"
    after = requests.get(f"{urls[0]}/sessions/{session_id}", headers=headers, timeout=10).json()
    assert [w["enrollment_id"] for w in after["waiting_list"]] == [b["id"]
                                                                    for b in waitlisted[1:]]
    assert (after["confirmed"], after["seats_left"]) == (CAPACITY, 0)


def test_officers_and_enrollments_made_on_two_processes_at_once_are_each_listed_once(
        two_apis, unique):
    """The two processes number the same pages (everyone's, an agency's, each officer's), each
    starting where the other left them: nothing listed twice, nothing missing, no gap."""
    urls, runtime, config = two_apis
    headers = _headers(config)
    sessions = [str(uuid.uuid4()) for _ in range(2)]
    for session_id in sessions:
        deliver(runtime, "sessions.session.scheduled", scheduled(session_id, 10))

    def register(n):
        return requests.post(f"{urls[n % 2]}/participants", json=profile_of(f"l{n}{unique}"),
                             headers=headers, timeout=60)

    with ThreadPoolExecutor(8) as pool:
        created = list(pool.map(register, range(16)))
    assert [c.status_code for c in created] == [201] * 16
    officers = [c.json()["id"] for c in created]

    def enroll(n):
        return requests.post(f"{urls[n % 2]}/enrollments", headers=headers, timeout=60, json={
            "participant_id": officers[n % 16], "session_id": sessions[n // 16]})

    with ThreadPoolExecutor(8) as pool:
        enrolled = list(pool.map(enroll, range(32)))
    assert [e.status_code for e in enrolled] == [201] * 32

    for url in urls:
        listed = requests.get(f"{url}/participants", params={"page_size": 100},
                              headers=headers, timeout=10)
        assert sorted(p["id"] for p in listed.json()) == sorted(officers)
        assert json.loads(listed.headers["X-Pagination"])["total"] == 16
        listed = requests.get(f"{url}/enrollments", params={"page_size": 100},
                              headers=headers, timeout=10)
        assert sorted(e["id"] for e in listed.json()) == sorted(e.json()["id"] for e in enrolled)
        assert json.loads(listed.headers["X-Pagination"])["total"] == 32
    for officer in officers:
        hers = requests.get(f"{urls[1]}/enrollments", params={"participant_id": officer},
                            headers=headers, timeout=10).json()
        assert sorted(e["session_id"] for e in hers) == sorted(sessions)
