"""SIGTERM to every process (APIs and workers) while officers are being registered, then restart.

Each process finishes its work and exits by itself; after the restart every request that got a
201 has exactly one acknowledgement email, and none that was refused has any.
"""

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from common.topics import catalogue
from devstack import services
from devstack.infra import ensure_topics
from tests.conftest import wait_for
from tests.faults.helpers import coordinator, inboxes, officer
from tests.faults.private import free_port

OFFICERS, PACE_S = 80, 0.1


@pytest.fixture
def restartable_stack(kafka_bootstrap, mongo_uri, tmp_path):
    name = f"fault{uuid.uuid4().hex[:8]}"
    ensure_topics(kafka_bootstrap, list(catalogue(f"{name}.")))
    env = {"STACK_NAME": name, "TOPIC_PREFIX": f"{name}.", "KAFKA_BOOTSTRAP_SERVERS":
           kafka_bootstrap, "MONGO_URI": mongo_uri, "OUTBOX_RELAY_INTERVAL_SECONDS": "1",
           "OUTBOX_RELAY_GRACE_SECONDS": "2"}
    ports = {s: free_port() for s in services.SERVICES}
    stacks = []

    def start():
        stacks.append(services.start(env, ports, tmp_path / f"logs{len(stacks)}",
                                     api_workers=2))
        services.wait_ready(stacks[-1], timeout_s=90)
        return stacks[-1]

    yield start
    for stack in stacks:
        services.stop(stack)


def _register(url: str, address: str, at: float) -> tuple[str, int]:
    time.sleep(max(0.0, at - time.monotonic()))
    try:
        return address, requests.post(f"{url}/participants", json=officer(address),
                                      headers=coordinator(), timeout=30).status_code
    except requests.RequestException:
        return address, 0  # nobody listening: refused, not accepted


def test_sigterm_to_every_process_under_load_loses_and_doubles_nothing(restartable_stack,
                                                                       smtp_inbox):
    first = restartable_stack()
    registration = first.urls["registration"]
    tag = uuid.uuid4().hex[:6]
    emails = [f"term{n}.{tag}@example.org" for n in range(OFFICERS)]
    stopped: dict[str, object] = {}

    def terminate():
        time.sleep(3)
        stopped["at"] = time.monotonic()
        services.stop(first)  # SIGTERM to every process group; SIGKILL only after 25 s
        stopped["codes"] = {p.name: p.popen.returncode for p in first.processes}
        stopped["second"] = restartable_stack()

    saboteur = threading.Thread(target=terminate)
    start = time.monotonic()
    saboteur.start()
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda n: _register(registration, emails[n],
                                                    start + PACE_S * n), range(OFFICERS)))
    saboteur.join()

    assert stopped["codes"] == {p.name: 0 for p in first.processes}, stopped["codes"]
    accepted = [address for address, status in results if status == 201]
    refused = [address for address, status in results if status == 503]
    unanswered = [address for address, status in results if status == 0]  # no server, or cut
    assert len(accepted) + len(refused) + len(unanswered) == OFFICERS, results
    assert accepted and unanswered, "the SIGTERM did not land while requests were coming in"
    print(f"SIGTERM to {len(first.processes)} processes mid-run (all exited 0): "
          f"{len(accepted)} officers accepted (201), {len(refused)} refused (503), "
          f"{len(unanswered)} unanswered while down")

    wait_for(lambda: all(inboxes(smtp_inbox, accepted).values()), timeout_s=120, interval_s=1)
    time.sleep(3)  # a late duplicate would come with the relay's next sweeps (1 s apart)
    counts = {address: len(found) for address, found in inboxes(smtp_inbox, emails).items()}
    assert {a: counts[a] for a in accepted} == {a: 1 for a in accepted}
    assert all(counts[a] == 0 for a in refused)
    # An unanswered request may have been written before its connection was cut: at most once.
    assert all(counts[a] <= 1 for a in unanswered)
    print(f"after the restart: {sum(counts[a] for a in accepted)} acknowledgements for "
          f"{len(accepted)} accepted officers, 0 for the refused, "
          f"{sum(counts[a] for a in unanswered)} for the {len(unanswered)} unanswered")
