"""What sessions consumes: the one visible list of (topic, event type, handler)."""

from common.dispatch import Registry
from common.envelope import Event
from common.runtime import Runtime
from common.topics import REGISTRATION_EVENTS, SESSIONS_EVENTS
from services.sessions import consumed
from services.sessions.domain.lifecycle_rules import COMPLETED
from services.sessions.domain.roster_rules import ACTIVE
from services.sessions.stores import certificate_store, roster_store, session_store


def build_registry(runtime: Runtime, topic: str = REGISTRATION_EVENTS,
                   own_topic: str = SESSIONS_EVENTS) -> Registry:
    """The roster projection and certificates; topics are swappable for throwaway ones."""
    registry = Registry()
    # A batch's enrollment decisions are written together after it (see HeldEnrollments);
    # handlers reading rosters or enrollments flush them first.
    enrollments = roster_store.HeldEnrollments(runtime)
    registry.after_batch(enrollments.flush)
    registry.on_failed_batch(enrollments.drop)

    # A repeated confirmation changes nothing (an ended enrollment stays ended, an erased
    # officer stays out): no read of the processed events for them, most of what arrives.
    for type_ in (consumed.ENROLLMENT_CONFIRMED, consumed.ENROLLMENT_PROMOTED):
        @registry.on(topic, type_, consumed.EnrollmentConfirmed(), repeat_safe=True)
        def enrollment_joined(event: Event, payload: dict) -> None:
            enrollments.hold(event, payload, ACTIVE)

    for type_, status in ((consumed.ENROLLMENT_WITHDRAWN, "withdrawn"),
                          (consumed.ENROLLMENT_CANCELLED, "cancelled")):
        @registry.on(topic, type_, consumed.EnrollmentEnded())
        def enrollment_ended(event: Event, payload: dict, status: str = status) -> None:
            enrollments.hold(event, payload, status)

    @registry.on(topic, consumed.PARTICIPANT_ERASED, consumed.ParticipantErased())
    def participant_erased(event: Event, payload: dict) -> None:
        enrollments.flush()  # her enrollments of this batch are unlinked too
        roster_store.erase(runtime, payload["participant_id"])
        certificate_store.erase(runtime, payload["participant_id"])

    for type_ in (consumed.PARTICIPANT_REGISTERED, consumed.PARTICIPANT_UPDATED):
        @registry.on(topic, type_, consumed.ParticipantNamed())
        def participant_named(event: Event, payload: dict) -> None:
            certificate_store.project_initials(runtime, payload)

    # Its own events: a completed session decides its course's certificates; a correction of
    # attendance after completion decides that officer's again.
    @registry.on(own_topic, consumed.SESSION_COMPLETED, consumed.SessionCompleted())
    def session_completed(event: Event, payload: dict) -> None:
        enrollments.flush()  # it reads the roster
        certificate_store.evaluate(runtime, payload["session_id"], cause=event)

    @registry.on(own_topic, consumed.ATTENDANCE_RECORDED, consumed.AttendanceRecorded())
    def attendance_recorded(event: Event, payload: dict) -> None:
        enrollments.flush()  # it reads the roster
        if session_store.get(runtime, payload["session_id"])["status"] == COMPLETED:
            certificate_store.evaluate(runtime, payload["session_id"], cause=event,
                                       only=payload["participant_id"])

    return registry
