"""During a broker outage `/health/ready` answers at once from the last known state, and the
outage is logged once (and its end once), without `KafkaProducer.__del__` tracebacks."""

import json
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.conftest import wait_for
from tests.faults.helpers import coordinator, officer

PROBE_TIMEOUT_S = 1.0  # what a load balancer or kubelet would give it


def _ready(url: str) -> requests.Response:
    """One probe; a probe that does not answer within its timeout fails the test (raises)."""
    return requests.get(f"{url}/health/ready", timeout=PROBE_TIMEOUT_S)


def _all_answer(urls: dict[str, str], status: int, reason: str | None = None) -> bool:
    answers = [_ready(url) for url in urls.values()]
    return all(a.status_code == status and (reason is None or any(
        reason in r for r in a.json()["reasons"])) for a in answers)


def _log_lines(path) -> list[dict]:
    lines = []
    for line in path.read_text(errors="replace").splitlines():
        try:
            lines.append(json.loads(line))
        except ValueError:
            continue
    return lines


def _register_until(url: str, stop: threading.Event) -> Counter:
    """Officers registered one after another until ``stop``; counts the answers."""
    answers = Counter()
    while not stop.is_set():
        email = f"ready.{uuid.uuid4().hex[:10]}@example.org"
        answers[requests.post(f"{url}/participants", json=officer(email),
                              headers=coordinator(), timeout=30).status_code] += 1
    return answers


def _probe_for(urls: dict[str, str], seconds: float) -> Counter:
    """Probe every API for ``seconds``: each answers within the timeout and says why."""
    probes = Counter()
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        for url in urls.values():
            answer = _ready(url)
            probes[answer.status_code] += 1
            assert any("Kafka unavailable" in r for r in answer.json()["reasons"]), answer.text
    return probes


def _apis(stack) -> list:
    return [p for p in stack.processes if p.name.endswith("-api")]


def _outage_logged(process) -> tuple[Counter, Counter]:
    """Per worker process (pid): how often it logged the broker lost, and back."""
    entries = [e for e in _log_lines(process.log) if e.get("dependency") == "kafka"]
    return (Counter(e["pid"] for e in entries if e["message"] == "dependency unavailable"),
            Counter(e["pid"] for e in entries if e["message"] == "dependency available again"))


def test_readiness_answers_within_a_second_during_a_broker_outage(stack_on_private_broker):
    stack, broker = stack_on_private_broker
    urls = stack.urls
    assert _all_answer(urls, 200)
    # Registrations in flight when the broker dies: their publishes are not acknowledged and
    # drop the producer, which is where the `__del__` tracebacks came from.
    stop = threading.Event()
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            registering = [pool.submit(_register_until, urls["registration"], stop)
                           for _ in range(4)]
            try:
                time.sleep(2)
                broker.kill()
                wait_for(lambda: _all_answer(urls, 503, "Kafka unavailable"), timeout_s=30,
                         interval_s=0.2)
                probes = _probe_for(urls, 8)
            finally:
                stop.set()  # before the pool waits for its threads
            answers = sum((f.result() for f in registering), Counter())
        assert set(probes) == {503}, probes
        assert set(answers) <= {201, 503} and answers[201], answers
    finally:
        broker.start()
    # Probed again and again, as a load balancer does, until every API worker process (the
    # probes reach one of an API's workers at a time) has seen the broker back and said so.
    wait_for(lambda: _all_answer(urls, 200) and all(
        _outage_logged(p)[1] == _outage_logged(p)[0] for p in _apis(stack)),
        timeout_s=60, interval_s=0.2)

    for process in _apis(stack):
        text = process.log.read_text(errors="replace")
        assert "Exception ignored in" not in text, f"{process.name}: {text[-3000:]}"
        entries = [e for e in _log_lines(process.log) if e.get("dependency") == "kafka"]
        down, back = _outage_logged(process)
        assert down, f"{process.name} never logged the outage"
        assert all(e["level"] == "WARNING" for e in entries
                   if e["message"] == "dependency unavailable")
        # Once per API worker process (each checks for itself), and its end once.
        assert set(down.values()) == {1} and back == down, (process.name, down, back)
