"""SIGTERM to a notifications worker whose sending queue is full and whose SMTP relay is slow,
or does not answer at all.

The worker finishes the message it is sending, records it, hands back what it claimed and did
not send, commits, leaves its group and exits, without waiting for its queue or its batch to be
sent (nor, past a grace, for a thread stuck on a relay that does not answer); a worker started
after it sends the rest: every officer gets her email exactly once.
"""

import os
import signal
import subprocess
import time
import uuid
from collections import Counter

from tests.conftest import wait_for
from tests.faults.helpers import inboxes, publish, registered
from tests.faults.slow_smtp import SlowSmtp

STOPS_WITHIN_S = 20  # generous: a batch of 20 at the slow relay's pace takes about 30 s


def _planned(stack, messages: int, tag: str) -> dict[str, str]:
    """``messages`` officers registered: one acknowledgement each to send."""
    officers = {str(uuid.uuid4()): f"{tag}{n}.{uuid.uuid4().hex[:6]}@example.org"
                for n in range(messages)}
    publish(stack.bootstrap, stack.topic("registration"), "registration",
            [registered(stack, pid, address) for pid, address in officers.items()])
    return officers


def _relay(delay_s: float) -> SlowSmtp:
    return SlowSmtp(os.environ.get("SMTP_HOST", "127.0.0.1"),
                    int(os.environ.get("SMTP_PORT", "1025")), delay_s=delay_s)


def _terminated(worker, notes) -> Counter:
    """SIGTERM; it must exit by itself, with 0; the notifications' statuses then."""
    worker.send_signal(signal.SIGTERM)
    asked = time.monotonic()
    try:
        code = worker.wait(timeout=STOPS_WITHIN_S)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait(timeout=10)
        raise AssertionError(f"still running {STOPS_WITHIN_S} s after SIGTERM") from None
    statuses = Counter(n["status"] for n in notes.find({}, {"status": 1}))
    print(f"stopped {time.monotonic() - asked:.1f} s after SIGTERM (exit {code}) with "
          f"{dict(statuses)}")
    assert code == 0
    return statuses


def _each_sent_once_by_a_successor(stack, notes, officers: dict[str, str], smtp_inbox) -> None:
    stack.worker("notifications", "notifications-worker-2")
    wait_for(lambda: notes.count_documents({"status": "sent"}) == len(officers),
             timeout_s=120, interval_s=0.5)

    def delivered() -> dict[str, list[dict]]:
        return inboxes(smtp_inbox, officers.values())

    wait_for(lambda: all(delivered().values()), timeout_s=30, interval_s=1)
    time.sleep(2)  # a late repeat would come now
    assert {a: len(m) for a, m in delivered().items()} == dict.fromkeys(officers.values(), 1)


def test_sigterm_with_a_full_queue_and_a_slow_relay_exits_and_loses_nothing(worker_stack,
                                                                            smtp_inbox):
    stack = worker_stack(NOTIFICATION_SENDER_THREADS="2",
                         NOTIFICATION_SENDER_INTERVAL_SECONDS="0.5")
    relay = _relay(delay_s=0.3)  # about 1.2 s a message
    officers = _planned(stack, 700, "slow")  # more than the sending queue holds (500)
    notes = stack.database("notifications")["notifications"]

    first = stack.worker("notifications", "notifications-worker-1", SMTP_PORT=str(relay.port))
    # Planned far ahead of the slow relay: the queue is full, the consumer waits for room.
    wait_for(lambda: notes.estimated_document_count() >= 600, timeout_s=90, interval_s=0.2)
    wait_for(lambda: notes.count_documents({"status": "sent"}), timeout_s=30, interval_s=0.2)
    try:
        at_stop = _terminated(first, notes)
    finally:
        relay.close()
    assert at_stop["sent"] < len(officers)  # stopped in the middle, really

    _each_sent_once_by_a_successor(stack, notes, officers, smtp_inbox)


def test_sigterm_while_the_relay_does_not_answer_exits_and_loses_nothing(worker_stack,
                                                                        smtp_inbox):
    """Each sending thread waits a minute for a relay that never answers: the worker does not
    wait for them past its grace; what they held is taken over by its successor at once."""
    stack = worker_stack(NOTIFICATION_SENDER_THREADS="2",
                         NOTIFICATION_SENDER_INTERVAL_SECONDS="0.5", SMTP_TIMEOUT_SECONDS="60")
    relay = _relay(delay_s=3600)
    officers = _planned(stack, 100, "mute")
    notes = stack.database("notifications")["notifications"]

    first = stack.worker("notifications", "notifications-worker-1", SMTP_PORT=str(relay.port))
    wait_for(lambda: notes.estimated_document_count() == len(officers), timeout_s=90,
             interval_s=0.2)
    time.sleep(2)  # both sending threads are waiting for the relay's answer by now
    try:
        at_stop = _terminated(first, notes)
    finally:
        relay.close()
    assert at_stop["sent"] == 0

    _each_sent_once_by_a_successor(stack, notes, officers, smtp_inbox)
