"""What an officer or a facilitator receives for each event: the planning rules, no database."""

from datetime import UTC, datetime, timedelta

from common.envelope import new_event
from services.notifications.domain import planning_rules, reminder_rules

NOW = datetime(2031, 6, 1, 9, 0, tzinfo=UTC)
STARTS = datetime(2031, 7, 20, 4, 0, tzinfo=UTC)  # 09:00 in Islamabad
OFFSETS = (timedelta(days=7), timedelta(days=1))
SESSION = {"_id": "s-1", "starts_at": STARTS, "sequence": 2, "facilitator_ids": ["f-1"]}


def _enrollment(type_: str, causationid: str | None = None, **extra):
    payload = {"enrollment_id": "e-1", "participant_id": "p-1", "session_id": "s-1", **extra}
    return new_event(type_, "e-1", payload, "registration", causationid=causationid), payload


def _received(documents):
    return sorted((d["recipient_id"], d["kind"], d["status"]) for d in documents)


def test_a_confirmed_officer_is_told_and_reminded_seven_days_and_one_day_before():
    event, payload = _enrollment("registration.enrollment.confirmed")
    documents = planning_rules.enrollment_notices(event, payload, SESSION, OFFSETS, NOW)
    assert _received(documents) == [("p-1", "enrollment_confirmed", "pending"),
                                     ("p-1", "session_reminder_1d", "scheduled"),
                                     ("p-1", "session_reminder_7d", "scheduled")]
    due = {d["kind"]: d["due_at"] for d in documents}
    assert due["session_reminder_7d"] == STARTS - timedelta(days=7)
    assert due["session_reminder_1d"] == STARTS - timedelta(days=1)
    assert due["enrollment_confirmed"] == NOW  # sent at once
    assert {d["cause_event_id"] for d in documents} == {event.id}


def test_a_waitlisted_officer_is_told_her_position_and_is_not_reminded():
    event, payload = _enrollment("registration.enrollment.waitlisted", position=3)
    [notice] = planning_rules.enrollment_notices(event, payload, SESSION, OFFSETS, NOW)
    assert (notice["kind"], notice["context"]["position"]) == ("enrollment_waitlisted", 3)


def test_an_enrollment_cancelled_with_its_session_is_told_as_the_sessions_cancellation():
    cancellation = new_event("sessions.session.cancelled", "s-1", {}, "sessions")
    event, payload = _enrollment("registration.enrollment.cancelled", cancellation.id)
    [notice] = planning_rules.enrollment_notices(event, payload, SESSION, OFFSETS, NOW)
    # Under the session's cancellation, so whichever event comes first, she is told once.
    assert (notice["kind"], notice["cause_event_id"]) == ("session_cancelled", cancellation.id)
    assert notice["context"]["sequence"] == 3  # the calendar's CANCEL outranks its last update
    assert planning_rules.ends_reminders(event.type)


def test_a_confirmation_for_a_session_not_known_yet_keeps_its_reminders_untimed():
    event, payload = _enrollment("registration.enrollment.confirmed")
    documents = planning_rules.enrollment_notices(event, payload, None, OFFSETS, NOW)
    reminders = [d for d in documents if d["template"] == "session_reminder"]
    assert [(r["status"], r["due_at"]) for r in reminders] == [("scheduled", None)] * 2


def test_a_late_enrollment_skips_the_reminder_whose_time_has_passed():
    event, payload = _enrollment("registration.enrollment.confirmed")
    late = STARTS - timedelta(days=3)
    documents = planning_rules.enrollment_notices(event, payload, SESSION, OFFSETS, late)
    assert ("p-1", "session_reminder_7d", "skipped") in _received(documents)
    assert ("p-1", "session_reminder_1d", "scheduled") in _received(documents)


def test_a_reschedule_tells_each_officer_and_facilitator_once_with_both_dates():
    event = new_event("sessions.session.rescheduled", "s-1", {}, "sessions")
    payload = {"previous_starts_at": STARTS - timedelta(days=14),
               "previous_ends_at": STARTS - timedelta(days=13)}
    audience = planning_rules.audience(["p-1", "p-2"], SESSION)
    documents = planning_rules.reschedule_notices(event, payload, SESSION, audience, NOW)
    assert _received(documents) == [("f-1", "session_rescheduled", "pending"),
                                    ("p-1", "session_rescheduled", "pending"),
                                    ("p-2", "session_rescheduled", "pending")]
    assert documents[0]["context"]["previous_starts_at"] == STARTS - timedelta(days=14)
    assert documents[0]["context"]["sequence"] == 2


def test_a_cancellation_tells_everyone_why():
    event = new_event("sessions.session.cancelled", "s-1", {}, "sessions")
    documents = planning_rules.cancellation_notices(
        event, {"reason": "Venue unavailable"}, SESSION, ["p-1", "f-1"], NOW)
    assert {(d["recipient_id"], d["context"]["reason"]) for d in documents} == {
        ("p-1", "Venue unavailable"), ("f-1", "Venue unavailable")}


def test_a_new_session_of_a_series_invites_its_cohort_and_a_completed_one_asks_feedback():
    event = new_event("sessions.session.scheduled", "s-1", {}, "sessions")
    assert _received(planning_rules.invitations(event, SESSION, ["p-1", "p-2"], NOW)) == [
        ("p-1", "session_invitation", "pending"), ("p-2", "session_invitation", "pending")]
    assert _received(planning_rules.feedback_requests(event, SESSION, ["p-1"], NOW)) == [
        ("p-1", "feedback_requested", "pending")]


def test_an_assigned_facilitator_is_told_her_role_and_reminded_like_the_participants():
    event = new_event("sessions.facilitator.assigned", "s-1", {}, "sessions")
    payload = {"facilitator_id": "f-2", "session_id": "s-1", "role": "coach"}
    documents = planning_rules.facilitator_notices(event, payload, SESSION, OFFSETS, NOW)
    assert _received(documents) == [("f-2", "facilitator_assigned", "pending"),
                                    ("f-2", "session_reminder_1d", "scheduled"),
                                    ("f-2", "session_reminder_7d", "scheduled")]
    assert documents[0]["context"] == {"role": "coach"}


def test_a_session_moved_later_brings_back_a_reminder_skipped_as_past():
    skipped = {"template": "session_reminder", "status": "skipped", "offset_s": 7 * 86400,
               "status_reason": reminder_rules.DUE_PASSED}
    later = STARTS + timedelta(days=30)
    assert reminder_rules.retimed(skipped, later, NOW) == {
        "due_at": later - timedelta(days=7), "status": "scheduled", "status_reason": None}


def test_a_moved_session_moves_only_the_time_of_a_waiting_reminder():
    waiting = {"template": "session_reminder", "status": "scheduled", "offset_s": 86400}
    later = STARTS + timedelta(days=1)
    assert reminder_rules.retimed(waiting, later, NOW) == {"due_at": STARTS}


def test_a_reminder_skipped_for_her_preferences_or_already_sent_is_not_moved():
    switched_off = {"template": "session_reminder", "status": "skipped", "offset_s": 86400,
                    "status_reason": "reminders switched off for this channel"}
    sent = {"template": "session_reminder", "status": "sent", "offset_s": 86400}
    assert reminder_rules.retimed(switched_off, STARTS, NOW) is None
    assert reminder_rules.retimed(sent, STARTS, NOW) is None


def test_the_enrolled_are_those_whose_last_change_is_a_confirmation_or_promotion():
    changes = [{"enrollment_id": "e-1", "participant_id": "p-1", "status": "confirmed"},
               {"enrollment_id": "e-2", "participant_id": "p-2", "status": "waitlisted"},
               {"enrollment_id": "e-3", "participant_id": "p-3", "status": "confirmed"},
               {"enrollment_id": "e-2", "participant_id": "p-2", "status": "promoted"},
               {"enrollment_id": "e-3", "participant_id": "p-3", "status": "withdrawn"},
               {"enrollment_id": "e-1", "participant_id": "p-1", "status": "confirmed"}]
    assert planning_rules.enrolled(changes) == ["p-1", "p-2"]
