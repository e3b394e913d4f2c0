"""One enrollment's events out of order: the later decision stands, the stale one tells no one."""

import uuid
from dataclasses import replace
from datetime import timedelta

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
