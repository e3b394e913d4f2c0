"""What a worker's sweep of the due hours reads: each notification it must watch, not those it
sent itself, and not, every sweep, those a live worker on this host is still sending. With two
workers each sweep read every notification of both (one read each), and re-read at each sweep
those the other held: two workers did more database work an email than one."""

import subprocess
import sys

from common.config import load_notification_settings
from common.dispatch import Dispatcher, ProcessedEvents
from common.persistence import by_id
from services.notifications import holders
from services.notifications.handlers import build_registry
from services.notifications.stores import due_sweep
from tests.integration.notifications_programme import (
    SHARED_INBOX,
    Programme,
    inbox,
    send_due,
    sender_for,
)


def _planned_by(programme: Programme, on_created=None, claim_at_birth=None) -> None:
    programme.registry = build_registry(programme.runtime, load_notification_settings(),
                                        programme.clock, on_created, claim_at_birth)
    programme.dispatcher = Dispatcher(
        programme.registry, ProcessedEvents(programme.runtime.db["processed_events"]),
        max_attempts=1)


def _reads_of_notifications(monkeypatch) -> list[str]:
    """The ids the process reads by `_id` in the notifications collection from now on."""
    read, get = [], by_id.get

    def counted(collection, doc_id, projection=None):
        if collection.name == "notifications":
            read.append(doc_id)
        return get(collection, doc_id, projection)

    monkeypatch.setattr(by_id, "get", counted)
    return read


def _another_worker():
    """A live process of this host, as a claim holder, and the process (to end it)."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    started = None
    while started is None:
        started = holders._started(process.pid)
    return {"host": holders.HOST, "pid": process.pid, "started": started}, process


def test_a_worker_sweep_does_not_read_back_what_it_sent_itself(programme, monkeypatch):
    due_sweep.forget(programme.runtime)
    mine = sender_for(programme)
    _planned_by(programme, mine.offer, mine.claim_at_birth)
    session_id = programme.session()
    officers = [programme.participant(f"sent{n}") for n in range(3)]
    for participant_id, _ in officers:
        programme.enroll(participant_id, session_id)
    assert mine.send_queued(timeout_s=0) == 6  # each officer's acknowledgement, confirmation

    read = _reads_of_notifications(monkeypatch)
    for _ in range(3):  # its sweeps, past the time they would look at them
        programme.clock.advance(seconds=30)
        assert mine.look_up() == 0
    assert read == []
    for _, address in officers:
        assert len(inbox(SHARED_INBOX, address)) == 2


def test_what_a_live_worker_on_this_host_is_sending_is_not_read_again_each_sweep(
        programme, monkeypatch):
    due_sweep.forget(programme.runtime)
    alive, planner = _another_worker()  # the planner, still sending
    mine = sender_for(programme)
    _planned_by(programme, None, lambda documents: [
        {**d, "claim_holder": alive} if d["status"] == "sending" else d
        for d in mine.claim_at_birth(documents)])
    participant_id, address = programme.participant("held")
    other = sender_for(programme)

    read = _reads_of_notifications(monkeypatch)
    try:
        for _ in range(5):
            assert send_due(other) == 0
            programme.clock.advance(seconds=5)
    finally:
        planner.kill()
        planner.wait()
    assert len(read) == 1  # looked at once, then left to its live holder

    programme.clock.advance(seconds=load_notification_settings().lease_s)
    assert send_due(other) == 1  # its lease ran out: taken over, sent once
    assert len(inbox(SHARED_INBOX, address)) == 1
    [sent] = programme.of(recipient_id=participant_id)
    assert (sent["status"], sent["generation"]) == ("sent", 1)


def test_a_worker_on_this_host_that_died_is_seen_at_the_next_sweep(programme, monkeypatch):
    due_sweep.forget(programme.runtime)
    holder, planner = _another_worker()
    mine = sender_for(programme)
    _planned_by(programme, None, lambda documents: [
        {**d, "claim_holder": holder} if d["status"] == "sending" else d
        for d in mine.claim_at_birth(documents)])
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
