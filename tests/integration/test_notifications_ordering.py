"""One enrollment's events out of order: the later decision stands, the stale one tells no one."""

import uuid

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
