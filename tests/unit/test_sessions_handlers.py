"""What sessions consumes is one visible list, and its payload shapes tolerate additions."""

from services.sessions import consumed, handlers

TOPIC = "it.registration.events"


def test_sessions_consumes_enrollments_and_erasures_and_nothing_else():
    registry = handlers.build_registry(runtime=None, topic=TOPIC)
    assert set(registry.subscriptions) == {(TOPIC, t) for t in (
        "registration.enrollment.confirmed", "registration.enrollment.promoted",
        "registration.enrollment.withdrawn", "registration.enrollment.cancelled",
        "registration.participant.erased")}


def test_enrollment_payload_keeps_what_the_roster_needs_and_drops_the_rest():
    loaded = consumed.EnrollmentConfirmed().load({
        "enrollment_id": "e1", "participant_id": "p1", "session_id": "s1", "series_id": None,
        "gender": "female", "agency": "FIA", "contact_sealed": "opaque", "added_later": 1})
    assert loaded == {"enrollment_id": "e1", "participant_id": "p1", "session_id": "s1",
                      "series_id": None, "gender": "female", "agency": "FIA"}
