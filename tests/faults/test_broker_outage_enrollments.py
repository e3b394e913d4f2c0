"""The broker is killed -9 while 300 enrollments are posted, then restarted.

Every request that got a 2xx leads to exactly one confirmation email; the others got a 503 and
wrote nothing.
"""

import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.conftest import wait_for
from tests.faults.helpers import (
    BrokerOutage,
    coordinator,
    inboxes,
    publish,
    register_officers,
    scheduled,
)

SESSIONS, OFFICERS = 10, 30  # 300 enrollments: each officer in each session
CAPACITY = 40  # every request can have a seat
PACE_S = 0.05  # one request every 50 ms: 15 s of requests around an 8 s outage


def _enroll(registration: str, participant_id: str, session_id: str, at: float):
    time.sleep(max(0.0, at - time.monotonic()))
    sent = time.monotonic()
    try:
        response = requests.post(f"{registration}/enrollments", headers=coordinator(),
                                 json={"participant_id": participant_id,
                                       "session_id": session_id}, timeout=30)
        return participant_id, session_id, response.status_code, response.json(), sent
    except requests.RequestException as exc:
        return participant_id, session_id, 0, repr(exc), sent


def _known(registration: str, session_id: str) -> bool:
    return requests.get(f"{registration}/sessions/{session_id}", headers=coordinator(),
                        timeout=10).status_code == 200


def test_broker_killed_mid_enrollments_loses_and_doubles_no_confirmation(
        stack_on_private_broker, smtp_inbox):
    stack, broker = stack_on_private_broker
    registration = stack.urls["registration"]
    tag = uuid.uuid4().hex[:6]
    titles = {str(uuid.uuid4()): f"Outage drill {tag} {n}" for n in range(SESSIONS)}
    publish(broker.bootstrap, f"{stack.topic_prefix}sessions.events", "sessions",
            [("sessions.session.scheduled", sid, scheduled(sid, title, CAPACITY))
             for sid, title in titles.items()])
    officers = register_officers(registration,
                                 [f"enrollee{n}.{tag}@example.org" for n in range(OFFICERS)])
    wait_for(lambda: all(_known(registration, sid) for sid in titles), timeout_s=60)

    pairs = [(pid, sid) for pid in officers for sid in titles]
    saboteur = BrokerOutage(broker, after_s=3, down_s=8)
    start = time.monotonic()
    saboteur.start()
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda n: _enroll(registration, *pairs[n], start + PACE_S * n),
                                range(len(pairs))))
    saboteur.join()

    statuses = Counter(status for *_, status, _, _ in results)
    assert set(statuses) <= {201, 503}, [r for r in results if r[2] not in (201, 503)]
    accepted = [(pid, sid) for pid, sid, status, body, _ in results if status == 201]
    assert all(body["status"] == "confirmed" for _, _, status, body, _ in results
               if status == 201)
    during = [r for r in results if r[2] == 201 and saboteur.began <= r[4] <= saboteur.ended]
    assert during, "no enrollment was accepted while the broker was down"
    assert min(r[4] for r in results) < saboteur.began < saboteur.ended < max(r[4] for r in results)
    print(f"broker killed -9 mid-run: {len(results)} enrollments posted, {statuses[201]} "
          f"accepted (201), {len(during)} of them while it was down, {statuses[503]} refused "
          f"(503); broker back after {saboteur.back - saboteur.began:.0f}s")

    for pid, sid, status, _, _ in results:
        if status == 503:  # refused: nothing written
            found = requests.get(f"{registration}/enrollments", headers=coordinator(),
                                 params={"participant_id": pid, "session_id": sid}, timeout=10)
            assert found.json() == [], found.text

    def confirmations() -> Counter:
        counted = Counter()
        received = inboxes(smtp_inbox, officers.values())
        for pid, address in officers.items():
            for message in received[address]:
                for sid, title in titles.items():
                    if message["subject"] == f"Your place is confirmed: {title}":
                        counted[(pid, sid)] += 1
        return counted

    began = time.monotonic()
    wait_for(lambda: all(confirmations()[pair] >= 1 for pair in accepted), timeout_s=300,
             interval_s=2)
    print(f"every accepted enrollment's confirmation arrived within "
          f"{time.monotonic() - began:.0f}s of the last request")
    time.sleep(3)  # a late duplicate would come with the relay's next sweeps (1 s apart)
    final = confirmations()
    assert {pair: final[pair] for pair in accepted} == {pair: 1 for pair in accepted}
    assert sum(final.values()) == len(accepted), "a confirmation for a refused request"
    print(f"{sum(final.values())} confirmation emails for {len(accepted)} accepted enrollments,"
          f" {len(set(final))} distinct, none for the {statuses[503]} refused")
