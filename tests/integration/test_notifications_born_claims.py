"""What a worker's consumer stores due now is claimed in its own insert by that worker: it sends
it without a claim of its own, no other worker takes it while its lease runs, and a worker on
the same host sends it at once, once, if the planner died."""

import queue
import subprocess
import sys
import threading

from common.config import load_notification_settings
from common.dispatch import Dispatcher, ProcessedEvents
from services.notifications import holders
from services.notifications.handlers import build_registry
from services.notifications.stores import claim_store, due_sweep
from tests.integration.notifications_programme import (
    SHARED_INBOX,
    Programme,
    inbox,
    reads_of_notifications,
    send_due,
    sender_for,
)


def _planned_by(programme: Programme, on_created=None, claim_at_birth=None) -> None:
    """The programme's events handled by a worker whose sender is given."""
    programme.registry = build_registry(programme.runtime, load_notification_settings(),
                                        programme.clock, on_created, claim_at_birth)
    programme.dispatcher = Dispatcher(
        programme.registry, ProcessedEvents(programme.runtime.db["processed_events"]),
        max_attempts=1)


def _born_claims_held_by(programme: Programme, holder: dict) -> None:
    """The programme's events handled by a worker that claims at birth what is due as if
    ``holder`` did (a dead process, one elsewhere, one alive on this host) and sends none."""
    planner = sender_for(programme)
    _planned_by(programme, None, lambda documents: [
        {**d, "claim_holder": holder} if d["status"] == "sending" else d
        for d in planner.claim_at_birth(documents)])


def _claims_of(programme: Programme, notifications: list[dict]) -> list[dict]:
    return list(programme.runtime.db[claim_store.COLLECTION].find(
        {"_id": {"$in": [f"{n['_id']}:{g}" for n in notifications for g in (0, 1)]}}))


def test_a_worker_sends_what_it_planned_and_no_other_worker_takes_it_meanwhile(programme):
    mine = sender_for(programme)
    _planned_by(programme, mine.offer, mine.claim_at_birth)
    session_id = programme.session()
    participant_id, address = programme.participant("planned")
    programme.enroll(participant_id, session_id)
    born = programme.of(recipient_id=participant_id, status="sending")
    assert {n["kind"] for n in born} == {"registration_acknowledged", "enrollment_confirmed"}

    assert send_due(sender_for(programme)) == 0  # another worker: held by the planner
    assert mine.send_queued(timeout_s=0) == 2

    subjects = sorted(m["subject"] for m in inbox(SHARED_INBOX, address))
    assert len(subjects) == 2
    assert subjects[0].startswith("Your place is confirmed")
    assert subjects[1].startswith("Your registration with")
    assert {n["status"] for n in programme.of(_id={"$in": [n["_id"] for n in born]})} == \
        {"sent"}
    assert _claims_of(programme, born) == []  # the insert was the claim


def test_what_a_dead_planner_claimed_at_birth_is_sent_once_at_once_by_its_successor(programme):
    mine = sender_for(programme)
    dead = {**holders.me(), "started": holders.me()["started"] - 1}  # its pid, another process
    # The worker's sweep looked before it planned (it keeps the hour it reads from): its
    # successor starts there, not with a query over every notification.
    assert send_due(mine) == 0
    _born_claims_held_by(programme, dead)  # it dies before sending any
    officers = [programme.participant(f"orphan{n}") for n in range(3)]
    assert all(programme.of(recipient_id=pid, status="sending") for pid, _ in officers)

    due_sweep.forget(programme.runtime)  # the successor is another process: its own watch
    successor = sender_for(programme)
    assert send_due(successor) == 3  # the clock has not moved: no lease ran out
    assert send_due(successor) == 0
    for participant_id, address in officers:
        assert len(inbox(SHARED_INBOX, address)) == 1
        [sent] = programme.of(recipient_id=participant_id)
        assert (sent["status"], sent["generation"]) == ("sent", 1)


def test_a_born_claim_whose_lease_ran_out_is_taken_over_and_sent_once(programme):
    elsewhere = {"host": "another-host/boot", "pid": 1, "started": 1}  # cannot be checked
    _born_claims_held_by(programme, elsewhere)
    participant_id, address = programme.participant("stalled")
    other = sender_for(programme)
    assert send_due(other) == 0

    programme.clock.advance(seconds=load_notification_settings().lease_s + 1)
    assert send_due(other) == 1
    assert len(inbox(SHARED_INBOX, address)) == 1
    [sent] = programme.of(recipient_id=participant_id)
    assert (sent["status"], sent["generation"]) == ("sent", 1)


def test_what_a_stopping_worker_planned_but_did_not_send_is_sent_once_by_another_at_once(
        programme):
    mine = sender_for(programme)
    _planned_by(programme, mine.offer, mine.claim_at_birth)
    officers = [programme.participant(f"stopping{n}") for n in range(3)]
    assert mine.release() == 3  # it stops with them queued

    other = sender_for(programme)  # on another host, say: it cannot tell the first stopped
    assert send_due(other) == 3  # the clock has not moved: no lease ran out
    for participant_id, address in officers:
        assert len(inbox(SHARED_INBOX, address)) == 1
        [sent] = programme.of(recipient_id=participant_id)
        assert (sent["status"], sent["generation"]) == ("sent", 1)
    assert send_due(mine) == 0


def test_a_worker_stopping_with_a_full_queue_stops_waiting_and_hands_back_what_it_refused(
        programme):
    mine = sender_for(programme)
    mine._ready = queue.Queue(maxsize=1)  # full after one
    mine.FULL_WAIT_S = 3600  # a wait for room that only the stop can end
    _planned_by(programme, mine.offer_new, mine.claim_at_birth)
    threading.Timer(0.5, mine.stopping.set).start()  # SIGTERM while the consumer waits
    consumer = threading.Thread(target=lambda: [programme.participant(f"full{n}")
                                                for n in range(3)])
    consumer.start()
    consumer.join(timeout=60)
    assert not consumer.is_alive()  # it finished its batch instead of waiting for room
    officers = [n["recipient_id"] for n in programme.of(status="sending")]
    assert len(officers) == 3
    assert mine.release() == 3  # the one queued and the two the full queue refused

    other = sender_for(programme)
    assert send_due(other) == 3  # at once: no lease ran out
    assert {(n["status"], n["generation"]) for n in programme.of(
        recipient_id={"$in": officers})} == {("sent", 1)}


def test_a_sending_thread_stopping_mid_batch_records_what_it_sent_and_hands_back_the_rest(
        programme):
    mine = sender_for(programme)
    _planned_by(programme, mine.offer, mine.claim_at_birth)
    officers = dict(programme.participant(f"midbatch{n}") for n in range(3))
    email = mine.delivery.channels["email"]
    sends = email.send

    def send_then_stop(message):  # SIGTERM while the first message is being sent
        mine.stopping.set()
        return sends(message)

    email.send = send_then_stop
    assert mine.send_queued(timeout_s=0) == 3  # claimed: one sent, two handed back
    assert sorted(n["status"] for n in programme.of(
        recipient_id={"$in": list(officers)})) == ["pending", "pending", "sent"]

    other = sender_for(programme)
    assert send_due(other) == 2
    for address in officers.values():
        assert len(inbox(SHARED_INBOX, address)) == 1


def test_what_a_full_queue_refused_before_the_stop_is_handed_back_at_the_stop(programme):
    mine = sender_for(programme)
    mine._ready = queue.Queue(maxsize=1)
    mine.FULL_WAIT_S = 0.01  # the queue stays full: the consumer gives up on the others
    _planned_by(programme, mine.offer_new, mine.claim_at_birth)
    officers = dict(programme.participant(f"refused{n}") for n in range(3))

    assert mine.release() == 3  # not only the one queued: the others would wait out the lease
    other = sender_for(programme)  # on another host, say
    assert send_due(other) == 3
    for address in officers.values():
        assert len(inbox(SHARED_INBOX, address)) == 1


def _another_worker():
    """A live process of this host, as a claim holder, and the process (to end it)."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    started = None
    while started is None:
        started = holders._started(process.pid)
    return {"host": holders.HOST, "pid": process.pid, "started": started}, process


def test_a_worker_on_this_host_that_died_is_seen_at_the_next_sweep(programme, monkeypatch):
    due_sweep.forget(programme.runtime)
    holder, planner = _another_worker()
    _born_claims_held_by(programme, holder)
    participant_id, address = programme.participant("orphaned")
    other = sender_for(programme)
    for _ in range(2):
        assert send_due(other) == 0  # its holder lives
        programme.clock.advance(seconds=1)

    planner.kill()  # it dies before sending it
    planner.wait()
    assert send_due(other) == 1  # at the next sweep, long before its lease runs out
    assert len(inbox(SHARED_INBOX, address)) == 1
    [sent] = programme.of(recipient_id=participant_id)
    assert (sent["status"], sent["generation"]) == ("sent", 1)


def test_a_worker_sweep_does_not_read_back_what_it_sent_itself(programme, monkeypatch):
    due_sweep.forget(programme.runtime)
    mine = sender_for(programme)
    _planned_by(programme, mine.offer, mine.claim_at_birth)
    session_id = programme.session()
    officers = [programme.participant(f"sent{n}") for n in range(3)]
    for participant_id, _ in officers:
        programme.enroll(participant_id, session_id)
    assert mine.send_queued(timeout_s=0) == 6  # each officer's acknowledgement, confirmation

    read = reads_of_notifications(monkeypatch)
    for _ in range(6):  # its sweeps, until past the lease (120 s) it sent them under
        programme.clock.advance(seconds=30)
        assert mine.look_up() == 0
    assert read == []  # before: each of the 6 read back once its lease ran out
    for _, address in officers:
        assert len(inbox(SHARED_INBOX, address)) == 2
