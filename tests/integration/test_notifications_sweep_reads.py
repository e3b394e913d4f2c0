"""A worker's sweep of the due hours and a notification another worker of this host was
sending when it died: seen at the next sweep, not left to a lease that no one will end."""

import subprocess
import sys

from common.config import load_notification_settings
from common.dispatch import Dispatcher, ProcessedEvents
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
