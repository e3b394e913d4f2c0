"""Notifications on the real database and SMTP: what officers receive, once, in time."""

import threading
import uuid
from datetime import timedelta

import pytest

from common.envelope import Event, new_event
from common.mongo import client as mongo_client
from common.topics import REGISTRATION_EVENTS, SESSIONS_EVENTS
from services.notifications.channels.base import Message
from services.notifications.channels.email import EmailChannel
from services.notifications.domain import notification_rules
from services.notifications.icalendar import unfold
from services.notifications.stores import notification_store
from tests.conftest import read_topic, wait_for
from tests.integration.notification_programme import (
    KARACHI_START,
    SHARED_INBOX,
    inbox,
    raw_message,
    sender_for,
)


def test_reschedule_of_24_confirmed_tells_each_once_in_karachi_time_and_moves_reminders(
        programme):
    session_id = programme.session()
    officers = [programme.participant(f"r{i}") for i in range(24)]
    for participant_id, _ in officers:
        programme.enroll(participant_id, session_id)
    new_start = KARACHI_START + timedelta(days=14)  # 3 August 2031, 09:00 in Islamabad

    programme.reschedule(session_id, KARACHI_START, new_start)
    sender_for(programme).run_once()

    for _, address in officers:
        received = wait_for(lambda a=address: [m for m in inbox(SHARED_INBOX, a)
                                               if m["subject"].startswith("Rescheduled")])
        assert len(received) == 1
        assert received[0]["subject"] == ("Rescheduled: Coaching 2 of 3 now starts "
                                          "Sunday 3 August 2031, 09:00 (Asia/Karachi)")
        message = raw_message(SHARED_INBOX, received[0]["id"])
        text = message.get_body(("plain",)).get_content()
        assert "From: Sunday 3 August 2031, 09:00 (Asia/Karachi)" in text
        assert "Previously: Sunday 20 July 2031, 09:00 (Asia/Karachi)" in text
        [attachment] = list(message.iter_attachments())
        calendar = attachment.get_content()
        if isinstance(calendar, bytes):
            calendar = calendar.decode()
        assert calendar.startswith("BEGIN:VCALENDAR\r\n")
        assert all(len(line.encode()) <= 75 for line in calendar.split("\r\n"))
        found = dict(line.split(":", 1) for line in unfold(calendar))
        assert (found["METHOD"], found["DTSTART"], found["SEQUENCE"]) == (
            "REQUEST", "20310803T040000Z", "1")
        assert found["UID"] == f"{session_id}@sessions.glo-act.example"

    reminders = programme.of(session_id=session_id, template="session_reminder")
    assert len(reminders) == 48
    assert {(r["status"], r["due_at"]) for r in reminders} == {
        ("scheduled", new_start - timedelta(days=7)), ("scheduled", new_start - timedelta(days=1))}


def test_messages_due_while_the_sink_is_down_are_retried_and_delivered_once(
        programme, own_sink, kafka_bootstrap):
    session_id = programme.session()
    participant_id, address = programme.participant("down")
    programme.enroll(participant_id, session_id)
    sender = sender_for(programme, own_sink["smtp_port"])

    sender.run_once()  # the sink is not running: both due messages fail their first try
    waiting = programme.of(recipient_id=participant_id, status="pending")
    assert len(waiting) == 2
    assert all(n["attempts"][0]["error"].startswith("ConnectionRefusedError") for n in waiting)
    assert sender.run_once() == 0  # backing off: nothing is due yet

    programme.clock.advance(seconds=61)
    sender.run_once()  # still down: second try, longer backoff
    programme.clock.advance(seconds=121)
    own_sink["start"]()
    sender.run_once()
    programme.clock.advance(days=1)
    sender.run_once()

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
    sender.run_once()  # the sink is not running: the acknowledgement fails its first try
    assert sender.offer_due_retries() == 0  # backing off
    own_sink["start"]()
    programme.clock.advance(seconds=61)
    assert sender.offer_due_retries() == 1
    stop = threading.Event()
    sending = threading.Thread(target=sender.run_ready, args=(stop,))
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
        sender.run_once()
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
        handled[index] = workers[index].run_once()

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
    sender_for(programme).run_once()

    assert len(programme.of(recipient_id=participant_id, kind="enrollment_confirmed")) == 1
    confirmations = [m for m in inbox(SHARED_INBOX, address)
                     if m["subject"].startswith("Your place is confirmed")]
    assert len(confirmations) == 1


def test_reminders_off_stops_reminders_but_not_the_cancellation_notice(programme):
    session_id = programme.session()
    participant_id, address = programme.participant("prefs")
    programme.enroll(participant_id, session_id)
    programme.runtime.db["recipients"].update_one(
        {"_id": participant_id}, {"$set": {"preferences.reminders.email": False}})
    programme.clock.now = KARACHI_START - timedelta(days=3)
    sender_for(programme).run_once()
    programme.publish(SESSIONS_EVENTS, "sessions.session.cancelled", session_id,
                      {"session_id": session_id, "series_id": None,
                       "reason": "Venue unavailable"})
    sender_for(programme).run_once()

    subjects = sorted(m["subject"] for m in inbox(SHARED_INBOX, address))
    assert subjects == ["Cancelled: Coaching 2 of 3", "Your place is confirmed: Coaching 2 of 3",
                        "Your registration with the GLO.ACT programme"]
    by_kind = {n["kind"]: n for n in programme.of(recipient_id=participant_id)}
    assert by_kind["session_reminder_7d"]["status"] == "skipped"
    assert by_kind["session_reminder_7d"]["status_reason"] == \
        "reminders switched off for this channel"
    assert by_kind["session_reminder_1d"]["status"] == "cancelled"
    assert by_kind["session_cancelled"]["status"] == "sent"


@pytest.mark.parametrize("first", ["the session's cancellation", "the enrollments' cancellations"])
def test_a_cancelled_session_tells_each_enrolled_officer_once_whatever_arrives_first(
        programme, first):
    session_id = programme.session()
    officers = [programme.participant(f"cancel{n}") for n in range(2)]
    enrolled = [programme.enroll(officers[0][0], session_id),
                programme.enroll(officers[1][0], session_id,
                                 type_="registration.enrollment.waitlisted")]
    cancelled = new_event("sessions.session.cancelled", session_id, {
        "session_id": session_id, "series_id": None, "reason": "Venue unavailable"}, "sessions")
    # What registration publishes for each active enrollment, caused by the cancellation.
    enrollments_cancelled = [cancelled.caused(
        "registration.enrollment.cancelled", e.subject,
        {**{k: e.data[k] for k in ("enrollment_id", "participant_id", "session_id",
                                   "series_id")}, "sequence": 9, "reason": "Venue unavailable"},
        "registration") for e in enrolled]
    deliveries = [(SESSIONS_EVENTS, cancelled)] + [(REGISTRATION_EVENTS, e)
                                                  for e in enrollments_cancelled]
    if first != "the session's cancellation":
        deliveries.reverse()
    for topic, event in deliveries:
        programme.deliver(topic, event)
    sender_for(programme).run_once()

    for participant_id, address in officers:
        told = [(n["kind"], n["status"]) for n in programme.of(recipient_id=participant_id)
                if "cancelled" in n["kind"]]
        assert told == [("session_cancelled", "sent")]
        cancellations = [m for m in inbox(SHARED_INBOX, address) if "ancel" in m["subject"]]
        assert [m["subject"] for m in cancellations] == ["Cancelled: Coaching 2 of 3"]
        text = raw_message(SHARED_INBOX, cancellations[0]["id"]).get_body(
            ("plain",)).get_content()
        assert "Reason: Venue unavailable" in text


def test_withdrawal_cancels_reminders_and_late_enrollment_skips_passed_ones(programme):
    session_id = programme.session()
    early, _ = programme.participant("early")
    programme.enroll(early, session_id)
    programme.clock.now = KARACHI_START - timedelta(days=3)
    late, _ = programme.participant("late")
    programme.enroll(late, session_id)
    programme.enroll(early, session_id, type_="registration.enrollment.withdrawn")

    late_reminders = {n["kind"]: n["status"] for n in programme.of(
        recipient_id=late, template="session_reminder")}
    assert late_reminders == {"session_reminder_7d": "skipped",
                              "session_reminder_1d": "scheduled"}
    early_reminders = {n["status"] for n in programme.of(recipient_id=early,
                                                          template="session_reminder")}
    assert early_reminders == {"cancelled"}


def test_new_session_of_a_series_invites_its_confirmed_cohort(programme):
    series_id = str(uuid.uuid4())
    first = programme.session(series_id=series_id)
    cohort = [programme.participant(f"c{i}")[0] for i in range(3)]
    outsider, _ = programme.participant("outsider")
    for participant_id in cohort:
        programme.enroll(participant_id, first, series_id=series_id)
    second = programme.session(starts_at=KARACHI_START + timedelta(days=90), series_id=series_id)
    invited = sorted(n["recipient_id"] for n in programme.of(kind="session_invitation",
                                                             session_id=second))
    assert invited == sorted(cohort)
    assert outsider not in invited


def test_erased_participant_loses_contact_details_and_waiting_notices(programme):
    session_id = programme.session()
    participant_id, _ = programme.participant("erased")
    programme.enroll(participant_id, session_id)
    programme.publish(REGISTRATION_EVENTS, "registration.participant.erased", participant_id,
                      {"participant_id": participant_id})
    recipient = programme.runtime.db["recipients"].find_one({"_id": participant_id})
    assert {k: recipient[k] for k in ("given_name", "family_name", "email", "phone")} == \
        dict.fromkeys(("given_name", "family_name", "email", "phone"))
    assert {n["status"] for n in programme.of(recipient_id=participant_id)} == {"cancelled"}


def _assign_facilitator(programme, session_id: str) -> str:
    facilitator_id = str(uuid.uuid4())
    programme.directory.add(facilitator_id, given_name="Martin", family_name="Reeve",
                            email=f"coach.{facilitator_id[:8]}@example.org", phone=None)
    programme.publish(SESSIONS_EVENTS, "sessions.facilitator.assigned", session_id, {
        "session_id": session_id, "facilitator_id": facilitator_id, "role": "coach",
        "preferred_language": "en"})
    return facilitator_id


def test_facilitator_assigned_is_told_reminded_and_hears_of_a_reschedule(programme):
    session_id = programme.session()
    facilitator_id = _assign_facilitator(programme, session_id)
    later = KARACHI_START + timedelta(days=1)
    programme.reschedule(session_id, KARACHI_START, later)
    told = {n["kind"]: n for n in programme.of(recipient_id=facilitator_id)}
    assert sorted(told) == ["facilitator_assigned", "session_reminder_1d", "session_reminder_7d",
                            "session_rescheduled"]
    assert [(told[k]["status"], told[k]["due_at"]) for k in ("session_reminder_7d",
                                                             "session_reminder_1d")] == [
        ("scheduled", later - timedelta(days=7)), ("scheduled", later - timedelta(days=1))]


def test_a_removed_facilitator_is_no_longer_reminded_or_told_of_changes(programme):
    session_id = programme.session()
    facilitator_id = _assign_facilitator(programme, session_id)
    programme.publish(SESSIONS_EVENTS, "sessions.facilitator.removed", session_id, {
        "session_id": session_id, "facilitator_id": facilitator_id, "role": "coach"})
    programme.reschedule(session_id, KARACHI_START, KARACHI_START + timedelta(days=1))
    told = {n["kind"]: n["status"] for n in programme.of(recipient_id=facilitator_id)}
    assert told == {"facilitator_assigned": "pending", "session_reminder_7d": "cancelled",
                    "session_reminder_1d": "cancelled"}


def test_claimed_notification_with_an_expired_lease_is_reclaimed(programme):
    participant_id, _ = programme.participant("lease")
    crashed = sender_for(programme)
    claimed = crashed.claim()
    assert claimed["recipient_id"] == participant_id
    assert sender_for(programme).claim() is None  # held by the first worker's lease
    programme.clock.advance(seconds=crashed.config.lease_s + 1)
    reclaimed = sender_for(programme).claim()
    assert reclaimed["_id"] == claimed["_id"]
    crashed.deliver(claimed)  # the first worker comes back late: its status write is refused
    [stored] = programme.of(_id=claimed["_id"])
    assert (stored["status"], stored["claim_token"]) == ("sending", reclaimed["claim_token"])


@pytest.fixture(autouse=True)
def _no_leftover_databases(mongo_uri):
    yield
    assert mongo_client(mongo_uri) is not None



def test_a_cause_recorded_again_in_one_insert_adds_only_what_it_had_not_produced(programme):
    cause = new_event("registration.enrollment.confirmed", "e-1", {}, "registration")
    recipient, now = str(uuid.uuid4()), programme.clock()
    first = notification_store.create_many(programme.runtime, [
        notification_rules.document(cause, recipient, "enrollment_confirmed", now=now),
        notification_rules.document(cause, recipient, "session_reminder_7d", status="scheduled",
                                    now=now)])
    again = notification_store.create_many(programme.runtime, [
        notification_rules.document(cause, recipient, "enrollment_confirmed", now=now),
        notification_rules.document(cause, recipient, "session_reminder_7d", status="scheduled",
                                    now=now),
        notification_rules.document(cause, recipient, "session_reminder_1d", status="scheduled",
                                    now=now)])
    assert len(first) == 2
    assert [n["kind"] for n in again] == ["session_reminder_1d"]
    assert sorted(n["kind"] for n in programme.of(recipient_id=recipient)) == [
        "enrollment_confirmed", "session_reminder_1d", "session_reminder_7d"]


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
