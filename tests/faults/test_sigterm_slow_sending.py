"""SIGTERM to a notifications worker whose sending queue is full and whose SMTP relay is slow.

The worker finishes the message it is sending, records it, hands back what it claimed and did
not send, commits, leaves its group and exits, without waiting for its queue or its batch to be
sent; a worker started after it sends the rest: every officer gets her email exactly once.
"""

import os
import signal
import subprocess
import time
import uuid
from collections import Counter

from tests.conftest import wait_for
from tests.faults.helpers import inboxes, message_id, publish, registered
from tests.faults.slow_smtp import SlowSmtp

# More than the sending queue holds (500), so that the consumer finds it full.
MESSAGES = 700
STOPS_WITHIN_S = 20  # generous: a batch of 20 at this relay's pace takes about 30 s


def test_sigterm_with_a_full_queue_and_a_slow_relay_exits_and_loses_nothing(worker_stack,
                                                                            smtp_inbox):
    stack = worker_stack(NOTIFICATION_SENDER_THREADS="2",
                         NOTIFICATION_SENDER_INTERVAL_SECONDS="0.5")
    relay = SlowSmtp(os.environ.get("SMTP_HOST", "127.0.0.1"),
                     int(os.environ.get("SMTP_PORT", "1025")), delay_s=0.3)
    tag = uuid.uuid4().hex[:6]
    officers = {str(uuid.uuid4()): f"slow{n}.{tag}@example.org" for n in range(MESSAGES)}
    publish(stack.bootstrap, stack.topic("registration"), "registration",
            [registered(stack, pid, address) for pid, address in officers.items()])
    notes = stack.database("notifications")["notifications"]
    sent = lambda: notes.count_documents({"status": "sent"})  # noqa: E731

    first = stack.worker("notifications", "notifications-worker-1", SMTP_PORT=str(relay.port))
    # Planned far ahead of the slow relay: the queue is full, the consumer waits for room.
    wait_for(lambda: notes.estimated_document_count() >= 600, timeout_s=90, interval_s=0.2)
    wait_for(lambda: notes.count_documents({"status": {"$in": ["sending", "sent"]}}),
             timeout_s=30, interval_s=0.2)
    first.send_signal(signal.SIGTERM)
    asked = time.monotonic()
    try:
        code = first.wait(timeout=STOPS_WITHIN_S)
    except subprocess.TimeoutExpired:
        first.kill()
        first.wait(timeout=10)
        raise AssertionError(f"still running {STOPS_WITHIN_S} s after SIGTERM") from None
    finally:
        relay.close()
    at_stop = Counter(n["status"] for n in notes.find({}, {"status": 1}))
    print(f"stopped {time.monotonic() - asked:.1f} s after SIGTERM (exit {code}) with "
          f"{dict(at_stop)}")
    assert code == 0
    assert at_stop["sent"] < MESSAGES  # stopped in the middle, really

    stack.worker("notifications", "notifications-worker-2")
    wait_for(lambda: sent() == MESSAGES, timeout_s=120, interval_s=0.5)

    def delivered() -> dict[str, list[dict]]:
        return inboxes(smtp_inbox, officers.values())

    wait_for(lambda: all(delivered().values()), timeout_s=30, interval_s=1)
    time.sleep(2)  # a late repeat would come now
    received = delivered()
    assert {a: len(m) for a, m in received.items()} == {a: 1 for a in officers.values()}
    ids = Counter(message_id(smtp_inbox, m[0]["id"]) for m in received.values())
    assert len(ids) == MESSAGES
