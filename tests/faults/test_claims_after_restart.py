"""A notifications worker killed -9 while it holds claims, started again: it takes its dead
predecessor's claims back at once rather than after the 120 s lease, and each officer gets
exactly one email."""

import signal
import socket
import threading
import uuid
from datetime import timedelta

from tests.conftest import wait_for
from tests.faults.helpers import inboxes, publish, registered

OFFICERS = 8
SENDER_THREADS = 4


class SilentSmtp(threading.Thread):
    """Accepts connections and never greets: a sending thread waits in it, its claim held."""

    def __init__(self):
        super().__init__(daemon=True)
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.held: list[socket.socket] = []

    def run(self) -> None:
        try:
            while True:
                self.held.append(self.server.accept()[0])
        except OSError:
            pass

    def close(self) -> None:
        self.server.close()
        for connection in self.held:
            connection.close()



def test_a_restarted_worker_takes_back_its_claims_at_once_and_sends_each_once(worker_stack,
                                                                               smtp_inbox):
    # The default lease (120 s): the point is not to wait for it.
    stack = worker_stack(NOTIFICATION_SENDER_THREADS=str(SENDER_THREADS),
                         NOTIFICATION_SENDER_INTERVAL_SECONDS="0.5")
    silent = SilentSmtp()
    silent.start()
    tag = uuid.uuid4().hex[:6]
    officers = {str(uuid.uuid4()): f"restart{n}.{tag}@example.org" for n in range(OFFICERS)}
    notes = stack.database("notifications")["notifications"]
    try:
        first = stack.worker("notifications", "notifications-worker-1",
                             SMTP_HOST="127.0.0.1", SMTP_PORT=str(silent.port))
        publish(stack.bootstrap, stack.topic("registration"), "registration",
                [registered(stack, pid, address) for pid, address in officers.items()])
        # Every sending thread holds a claim, stuck in an SMTP conversation: kill it there.
        wait_for(lambda: notes.count_documents({"status": "sending"}) >= SENDER_THREADS,
                 timeout_s=60, interval_s=0.05)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        silent.close()
    held = {n["_id"]: n for n in notes.find({"status": "sending"})}
    assert len(held) >= SENDER_THREADS, held
    assert notes.count_documents({"status": "sent"}) == 0  # nothing reached an inbox

    stack.worker("notifications", "notifications-worker-2")  # the real SMTP sink
    wait_for(lambda: notes.count_documents({"status": "sent"}) == OFFICERS, timeout_s=100,
             interval_s=0.5)

    for notification_id, before in held.items():
        after = notes.find_one({"_id": notification_id})
        assert after["generation"] > before["generation"]  # taken over, in a new round
        assert after["claim_holder"] != before["claim_holder"]
        # Taken back and sent well before the dead worker's lease would have run out.
        assert after["claimed_at"] < before["claimed_until"] - timedelta(seconds=60), after
        assert after["sent_at"] < before["claimed_until"] - timedelta(seconds=60), after

    wait_for(lambda: all(inboxes(smtp_inbox, officers.values()).values()), timeout_s=30,
             interval_s=1)
    received = inboxes(smtp_inbox, officers.values())
    assert {address: len(messages) for address, messages in received.items()} == \
        {address: 1 for address in officers.values()}
