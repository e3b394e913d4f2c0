"""Who is told what, on the real database and SMTP: reschedules, cancellations, withdrawals,
series, facilitators, erasure, preferences; one notification per cause, recipient and kind."""

import uuid
from datetime import timedelta

import pytest

from common.envelope import new_event
from common.topics import REGISTRATION_EVENTS, SESSIONS_EVENTS
from services.notifications.domain import notification_rules
from services.notifications.icalendar import unfold
from services.notifications.stores import notification_store
from tests.conftest import wait_for
from tests.integration.notifications_programme import (
    KARACHI_START,
    SHARED_INBOX,
    inbox,
    raw_message,
    send_due,
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
    send_due(sender_for(programme))

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


def test_reminders_off_stops_reminders_but_not_the_cancellation_notice(programme):
    session_id = programme.session()
    participant_id, address = programme.participant("prefs")
    programme.enroll(participant_id, session_id)
    programme.runtime.db["recipients"].update_one(
        {"_id": participant_id}, {"$set": {"preferences.reminders.email": False}})
    programme.clock.now = KARACHI_START - timedelta(days=3)
    send_due(sender_for(programme))
    programme.publish(SESSIONS_EVENTS, "sessions.session.cancelled", session_id,
                      {"session_id": session_id, "series_id": None,
                       "reason": "Venue unavailable"})
    send_due(sender_for(programme))

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
    send_due(sender_for(programme))

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
