"""What sessions consumes is one visible list, and its payload shapes tolerate additions."""

from services.sessions import consumed, handlers

TOPIC = "it.registration.events"
OWN = "it.sessions.events"


def test_sessions_consumes_enrollments_erasures_initials_and_its_completions_and_nothing_else():
    registry = handlers.build_registry(runtime=None, topic=TOPIC, own_topic=OWN)
    assert set(registry.subscriptions) == {(TOPIC, t) for t in (
        "registration.enrollment.confirmed", "registration.enrollment.promoted",
        "registration.enrollment.withdrawn", "registration.enrollment.cancelled",
        "registration.participant.erased", "registration.participant.registered",
        "registration.participant.updated")} | {(OWN, t) for t in (
            "sessions.session.completed", "sessions.attendance.recorded")}


def test_enrollment_payload_keeps_what_the_roster_needs_and_drops_the_rest():
    loaded = consumed.EnrollmentConfirmed().load({
        "enrollment_id": "e1", "participant_id": "p1", "session_id": "s1", "series_id": None,
        "gender": "female", "agency": "FIA", "contact_sealed": "opaque", "added_later": 1})
    assert loaded == {"enrollment_id": "e1", "participant_id": "p1", "session_id": "s1",
                      "series_id": None, "gender": "female", "agency": "FIA"}
