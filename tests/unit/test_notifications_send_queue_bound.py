"""The sending threads' queue is bounded: the consumer waits for room instead of holding a
backlog in memory, and never waits long on sending threads that do not take anything."""

import threading
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from common.config import load_notification_settings
from services.notifications.send_queue import SendQueue

NOW = datetime(2031, 3, 1, 9, 0, tzinfo=UTC)


def _queue(at_most: int, wait_s: float) -> SendQueue:
    class Small(SendQueue):
        QUEUED_AT_MOST, FULL_WAIT_S = at_most, wait_s

    return Small(SimpleNamespace(settings=None), {}, load_notification_settings(),
                 clock=lambda: NOW, directory=object())


def _due(n: int) -> dict:
    return {"_id": f"n{n}", "status": "pending", "due_at": NOW - timedelta(seconds=1)}


def _queued(sending: SendQueue) -> list[str]:
    return [c["_id"] for c in sending._take(100, 0)]


def test_the_consumer_waits_for_a_sending_thread_to_make_room():
    sending = _queue(at_most=2, wait_s=60)
    sending.offer_new(_due(1))
    sending.offer_new(_due(2))
    waiting = threading.Thread(target=sending.offer_new, args=(_due(3),))
    waiting.start()
    assert [c["_id"] for c in sending._take(1, 0)] == ["n1"]  # a sending thread takes one
    waiting.join()
    assert _queued(sending) == ["n2", "n3"]


def test_with_nobody_taking_it_waits_once_then_leaves_them_to_the_look_up():
    sending = _queue(at_most=1, wait_s=0.01)
    for n in range(1, 5):
        sending.offer_new(_due(n))  # n2 waited in vain; n3 and n4 do not wait
    assert sending._stalled
    assert _queued(sending) == ["n1"]
    sending.offer_new(_due(5))
    assert not sending._stalled
    assert _queued(sending) == ["n5"]
