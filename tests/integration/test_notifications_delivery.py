"""Sending on the real database and SMTP: retries, bounded tries, leases, two workers, one kept
SMTP connection; each officer gets each message once."""

import threading
import uuid
from datetime import timedelta

from common.config import load_notification_settings
from common.envelope import Event
from common.topics import REGISTRATION_EVENTS
from services.notifications import holders
from services.notifications.channels.base import Message, Result
from services.notifications.channels.email import EmailChannel
from services.notifications.send_queue import SendQueue
from services.notifications.stores import claim_store
from tests.conftest import read_topic, wait_for
from tests.integration.notifications_programme import (
    KARACHI_START,
    SHARED_INBOX,
    inbox,
    send_due,
    sender_for,
)


def test_messages_due_while_the_sink_is_down_are_retried_and_delivered_once(
        programme, own_sink, kafka_bootstrap):
    session_id = programme.session()
    participant_id, address = programme.participant("down")
    programme.enroll(participant_id, session_id)
    sender = sender_for(programme, own_sink["smtp_port"])

    send_due(sender)  # the sink is not running: both due messages fail their first try
    waiting = programme.of(recipient_id=participant_id, status="pending")
    assert len(waiting) == 2
    assert all(n["attempts"][0]["error"].startswith("ConnectionRefusedError") for n in waiting)
    assert send_due(sender) == 0  # backing off: nothing is due yet

    programme.clock.advance(seconds=61)
    send_due(sender)  # still down: second try, longer backoff
    programme.clock.advance(seconds=121)
    own_sink["start"]()
    send_due(sender)
    programme.clock.advance(days=1)
    send_due(sender)

    received = inbox(own_sink["inbox"], address)
    assert sorted(m["subject"] for m in received) == [
        "Your place is confirmed: Coaching 2 of 3",
        "Your registration with the GLO.ACT programme"]
    confirmed = programme.of(recipient_id=participant_id, kind="enrollment_confirmed")[0]
    assert confirmed["status"] == "sent"
    assert [a["ok"] for a in confirmed["attempts"]] == [False, False, True]
    sent = read_topic(kafka_bootstrap, programme.runtime.topic,
                      until=lambda records: len(records) >= 2)
    events = [Event.from_bytes(r.value) for r in sent]
    assert sorted(e.data["kind"] for e in events) == ["enrollment_confirmed",
                                                      "registration_acknowledged"]
    assert {e.type for e in events} == {"notifications.notification.sent"}


def test_a_refused_message_is_offered_again_by_its_worker_when_due_and_sent_once(
        programme, own_sink):
    participant_id, address = programme.participant("retried")
    sender = sender_for(programme, own_sink["smtp_port"])
    send_due(sender)  # the sink is not running: the acknowledgement fails its first try
    assert sender.offer_due_retries() == 0  # backing off
    own_sink["start"]()
    programme.clock.advance(seconds=61)
    assert sender.offer_due_retries() == 1
    stop = threading.Event()
    sending = threading.Thread(target=sender.run_sending, args=(stop,))
    sending.start()
    try:
        wait_for(lambda: programme.of(recipient_id=participant_id)[0]["status"] == "sent",
                 timeout_s=30)
    finally:
        stop.set()
        sending.join(timeout=10)
    assert [m["subject"] for m in inbox(own_sink["inbox"], address)] == [
        "Your registration with the GLO.ACT programme"]
    assert sender.offer_due_retries() == 0


def test_bounded_retries_end_in_failed_with_the_reason_and_an_event(
        programme, own_sink, kafka_bootstrap):
    participant_id, _ = programme.participant("failing")
    sender = sender_for(programme, own_sink["smtp_port"])  # never started
    for _ in range(4):
        send_due(sender)
        programme.clock.advance(hours=1)
    [failed] = programme.of(recipient_id=participant_id)
    assert failed["status"] == "failed"
    assert failed["status_reason"].startswith("ConnectionRefusedError")
    assert len(failed["attempts"]) == 4
    records = read_topic(kafka_bootstrap, programme.runtime.topic, until=lambda r: len(r) >= 1)
    event = Event.from_bytes(records[0].value)
    assert event.type == "notifications.notification.failed"
    assert (event.data["attempts"], event.data["notification_id"]) == (4, failed["_id"])


def test_two_workers_send_every_due_reminder_exactly_once(programme):
    session_id = programme.session()
    officers = [programme.participant(f"w{i}") for i in range(12)]
    for participant_id, _ in officers:
        programme.enroll(participant_id, session_id)
    programme.clock.now = KARACHI_START - timedelta(hours=12)  # both reminders are due
    workers = [sender_for(programme), sender_for(programme)]
    handled = [0, 0]

    def work(index: int) -> None:
        handled[index] = send_due(workers[index])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sum(handled) == 12 * 4  # acknowledgement, confirmation, 2 reminders each
    for _, address in officers:
        reminders = [m for m in inbox(SHARED_INBOX, address)
                     if m["subject"].startswith("Reminder")]
        assert len(reminders) == 2
    statuses = {n["status"] for n in programme.of(session_id=session_id)}
    assert statuses == {"sent"}


def test_the_same_enrollment_event_delivered_twice_gives_one_message(programme):
    session_id = programme.session()
    participant_id, address = programme.participant("twice")
    event = programme.enroll(participant_id, session_id)
    # A redelivery that got past the processed-events check (e.g. it was recorded elsewhere).
    subscription = programme.registry.find(REGISTRATION_EVENTS, event.type)
    subscription.handler(event, subscription.schema.load(event.data))
    programme.deliver(REGISTRATION_EVENTS, event)
    send_due(sender_for(programme))

    assert len(programme.of(recipient_id=participant_id, kind="enrollment_confirmed")) == 1
    confirmations = [m for m in inbox(SHARED_INBOX, address)
                     if m["subject"].startswith("Your place is confirmed")]
    assert len(confirmations) == 1


class StuckEmail:
    """An SMTP server that takes a message only when the test lets it: its sender holds the
    claim meanwhile, as a worker stuck in (or killed during) a conversation does."""

    name, address_field = "email", "email"

    def __init__(self):
        self.answer = threading.Event()

    def send(self, message) -> Result:
        self.answer.wait(timeout=60)
        return Result(True)


def test_a_claim_whose_lease_ran_out_is_taken_over_and_the_late_sender_writes_nothing(
        programme):
    participant_id, _ = programme.participant("lease")
    config = load_notification_settings()
    stuck = StuckEmail()
    late = SendQueue(programme.runtime, {"email": stuck}, config, programme.clock,
                     programme.directory, settle_s=0)
    late.look_up()
    sending = threading.Thread(target=late.send_queued, args=(0,))
    sending.start()
    try:
        [held] = wait_for(lambda: programme.of(recipient_id=participant_id, status="sending"))
        other = sender_for(programme)
        assert send_due(other) == 0  # held by the first worker's lease
        programme.clock.advance(seconds=config.lease_s + 1)
        assert send_due(other) == 1
    finally:
        stuck.answer.set()  # the first worker comes back late: its status write is refused
        sending.join(timeout=30)
    [stored] = programme.of(_id=held["_id"])
    assert stored["status"] == "sent"
    assert stored["generation"] == held["generation"] + 1
    assert stored["claim_token"] != held["claim_token"]
    assert len(stored["attempts"]) == 1


def test_a_batch_its_dead_worker_claimed_but_never_marked_is_taken_back_at_once(programme):
    """A worker killed between claiming its batch and marking it `sending` (the batch's reads
    lie in between): a worker on the same host sends each of it at once, not a lease later."""
    officers = [programme.participant(f"unmarked{n}") for n in range(3)]
    pending = [n for participant_id, _ in officers
               for n in programme.of(recipient_id=participant_id, status="pending")]
    assert len(pending) == 3
    dead = {**holders.me(), "started": holders.me()["started"] - 1}  # its pid, another process
    programme.runtime.db[claim_store.COLLECTION].insert_many(
        [{"_id": f"{n['_id']}:{n.get('generation', 0)}", "generation": n.get("generation", 0),
          "token": str(uuid.uuid4()), "holder": dead,
          "claimed_until": programme.clock() + timedelta(seconds=120)} for n in pending])

    assert send_due(sender_for(programme)) == 3  # the clock has not moved: no lease ran out
    for _, address in officers:
        assert len(inbox(SHARED_INBOX, address)) == 1
    assert {n["status"] for n in programme.of(_id={"$in": [n["_id"] for n in pending]})} == \
        {"sent"}


def test_a_retry_its_worker_offers_counts_each_try_and_ends_in_failed(programme, own_sink):
    participant_id, _ = programme.participant("counted")
    sending = sender_for(programme, own_sink["smtp_port"])  # the sink is never started
    sending.look_up()
    assert sending.send_queued(timeout_s=0) == 1  # the acknowledgement's first try fails
    for _ in range(3):  # offered again by its worker alone, never looked up
        programme.clock.advance(hours=1)
        assert sending.offer_due_retries() == 1
        assert sending.send_queued(timeout_s=0) == 1
    [failed] = programme.of(recipient_id=participant_id)
    assert (failed["status"], len(failed["attempts"])) == ("failed", 4)
    assert sending.offer_due_retries() == 0


def test_one_smtp_connection_carries_many_messages_and_a_broken_one_fails_one_try(own_sink):
    channel = EmailChannel("127.0.0.1", own_sink["smtp_port"], "programme@glo-act.example")
    address = f"kept.{uuid.uuid4().hex[:8]}@example.org"

    def message(n: int) -> Message:
        return Message(to=address, subject=f"Message {n}", text="text", html="<p>html</p>",
                       message_id=f"<{uuid.uuid4()}@glo-act.example>")

    own_sink["start"]()
    assert [channel.send(message(n)).ok for n in range(3)] == [True, True, True]
    own_sink["stop"]()
    own_sink["start"]()  # the kept connection now leads nowhere
    outcomes = [channel.send(message(n)) for n in range(3, 6)]
    assert [o.ok for o in outcomes] == [False, True, True]
    assert outcomes[0].error.startswith("SMTPServerDisconnected")
    assert [m["subject"] for m in inbox(own_sink["inbox"], address)] == [
        "Message 0", "Message 1", "Message 2", "Message 4", "Message 5"]
