"""One enrollment's events out of order: the later decision stands, the stale one tells no one."""

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest
from pymongo.errors import OperationFailure

from common.envelope import new_event
from common.topics import REGISTRATION_EVENTS
from services.notifications.stores import enrollment_store as enrollments


def _decision(programme, type_, enrollment_id, participant_id, session_id, sequence, **extra):
    return programme.publish(REGISTRATION_EVENTS, type_, enrollment_id, {
        "enrollment_id": enrollment_id, "participant_id": participant_id,
        "session_id": session_id, "series_id": None, "sequence": sequence, **extra})


def test_a_waitlisting_arriving_after_the_promotion_is_ignored(programme):
    session_id = programme.session()
    participant_id, _ = programme.participant("ordering")
    enrollment_id = str(uuid.uuid4())
    _decision(programme, "registration.enrollment.promoted", enrollment_id, participant_id,
              session_id, 7, gender="female", agency="Punjab Police")
    _decision(programme, "registration.enrollment.waitlisted", enrollment_id, participant_id,
              session_id, 6, position=1)

    assert enrollments.enrolled_in_session(programme.runtime, session_id) == [participant_id]
    kinds = {n["kind"] for n in programme.of(recipient_id=participant_id)}
    assert "enrollment_promoted" in kinds
    assert "enrollment_waitlisted" not in kinds


def test_decisions_in_order_are_each_told(programme):
    session_id = programme.session()
    participant_id, _ = programme.participant("in-order")
    enrollment_id = str(uuid.uuid4())
    _decision(programme, "registration.enrollment.waitlisted", enrollment_id, participant_id,
              session_id, 3, position=1)
    assert enrollments.enrolled_in_session(programme.runtime, session_id) == []
    _decision(programme, "registration.enrollment.promoted", enrollment_id, participant_id,
              session_id, 4, gender="female", agency="Punjab Police")

    assert enrollments.enrolled_in_session(programme.runtime, session_id) == [participant_id]
    kinds = {n["kind"] for n in programme.of(recipient_id=participant_id)}
    assert {"enrollment_waitlisted", "enrollment_promoted"} <= kinds


def test_a_confirmation_seen_again_after_her_withdrawal_leaves_her_withdrawn(programme):
    """A repeat reaches the handler (enrollment decisions skip the processed-events read):
    by its sequence, it is older than the withdrawal and changes nothing."""
    session_id = programme.session()
    participant_id, _ = programme.participant("repeat")
    enrollment_id = str(uuid.uuid4())
    confirmed = _decision(programme, "registration.enrollment.confirmed", enrollment_id,
                          participant_id, session_id, 3, gender="female", agency="Punjab Police")
    _decision(programme, "registration.enrollment.withdrawn", enrollment_id, participant_id,
              session_id, 4)
    programme.deliver(REGISTRATION_EVENTS, confirmed)

    assert enrollments.enrolled_in_session(programme.runtime, session_id) == []
    assert len(programme.of(recipient_id=participant_id, kind="enrollment_confirmed")) == 1


def test_without_a_sequence_the_later_decision_by_its_time_stands(programme):
    """An older producer's events carry no sequence: the events' times order them."""
    session_id = programme.session()
    participant_id, _ = programme.participant("unsequenced")
    enrollment_id = str(uuid.uuid4())
    confirmed = new_event("registration.enrollment.confirmed", enrollment_id, {
        "enrollment_id": enrollment_id, "participant_id": participant_id,
        "session_id": session_id, "series_id": None, "gender": "female",
        "agency": "Punjab Police"}, "registration")
    withdrawn = replace(new_event("registration.enrollment.withdrawn", enrollment_id, {
        "enrollment_id": enrollment_id, "participant_id": participant_id,
        "session_id": session_id, "series_id": None}, "registration"),
        time=confirmed.time + timedelta(seconds=1))
    programme.deliver(REGISTRATION_EVENTS, withdrawn)
    programme.deliver(REGISTRATION_EVENTS, confirmed)  # decided first, arrived last

    assert enrollments.enrolled_in_session(programme.runtime, session_id) == []
    assert programme.of(recipient_id=participant_id, kind="enrollment_confirmed") == []


def _batch(programme, *events) -> list[str]:
    return [o.action for o in programme.dispatcher.dispatch_batch(
        [(REGISTRATION_EVENTS, e.to_bytes()) for e in events])]


def _enrollment_event(type_, enrollment_id, participant_id, session_id, sequence):
    return new_event(type_, enrollment_id, {
        "enrollment_id": enrollment_id, "participant_id": participant_id,
        "session_id": session_id, "series_id": None, "sequence": sequence,
        "gender": "female", "agency": "Punjab Police"}, "registration")


def test_a_confirmation_and_its_withdrawal_in_one_batch_leave_her_withdrawn(programme):
    """The batch's enrollments are read before its handlers and written at its end: the
    withdrawal sees the confirmation made just before it, in the same batch."""
    session_id = programme.session()
    participant_id, _ = programme.participant("one-batch")
    enrollment_id = str(uuid.uuid4())

    assert _batch(programme, *(
        _enrollment_event(f"registration.enrollment.{status}", enrollment_id, participant_id,
                          session_id, sequence)
        for status, sequence in (("confirmed", 5), ("withdrawn", 6)))) == ["handled"] * 2

    assert enrollments.enrolled_in_session(programme.runtime, session_id) == []
    told = {n["kind"]: n["status"] for n in programme.of(recipient_id=participant_id)}
    assert told["enrollment_confirmed"] == told["enrollment_withdrawn"] == "pending"
    assert told["session_reminder_1d"] == "cancelled"
    stored = programme.runtime.db[enrollments.COLLECTION].find_one({"_id": enrollment_id})
    assert (stored["status"], stored["sequence"]) == ("withdrawn", 6)


def test_a_batch_whose_enrollments_write_failed_is_stored_when_handled_again(programme,
                                                                             monkeypatch):
    """The flush's write of the enrollments fails once: the batch is not recorded as handled;
    handled again, her enrollment, roster and notice are stored, the notice once."""
    session_id = programme.session()
    participant_id, _ = programme.participant("failed-flush")
    confirmed = _enrollment_event("registration.enrollment.confirmed", str(uuid.uuid4()),
                                  participant_id, session_id, 2)
    real, failures = enrollments.HeldEnrollments.write, []

    def failing_once(held, runtime):
        if not failures:
            failures.append(1)
            raise OperationFailure("write failed")
        return real(held, runtime)

    monkeypatch.setattr(enrollments.HeldEnrollments, "write", failing_once)
    with pytest.raises(OperationFailure):
        _batch(programme, confirmed)
    assert _batch(programme, confirmed) == ["handled"]

    assert enrollments.enrolled_in_session(programme.runtime, session_id) == [participant_id]
    told = [n["kind"] for n in programme.of(recipient_id=participant_id)]
    assert told.count("enrollment_confirmed") == 1
