"""What sessions consumes: the one visible list of (topic, event type, handler)."""

from common.dispatch import Registry
from common.envelope import Event
from common.runtime import Runtime
from common.topics import REGISTRATION_EVENTS, SESSIONS_EVENTS
from services.sessions import consumed
from services.sessions.domain.lifecycle_rules import COMPLETED
from services.sessions.stores import certificate_store, roster_store, session_store


def build_registry(runtime: Runtime, topic: str = REGISTRATION_EVENTS,
                   own_topic: str = SESSIONS_EVENTS) -> Registry:
    """The roster projection and certificates; topics are swappable for throwaway ones."""
    registry = Registry()

    @registry.on(topic, consumed.ENROLLMENT_CONFIRMED, consumed.EnrollmentConfirmed())
    def enrollment_confirmed(event: Event, payload: dict) -> None:
        roster_store.enroll(runtime, event, payload)

    @registry.on(topic, consumed.ENROLLMENT_PROMOTED, consumed.EnrollmentConfirmed())
    def enrollment_promoted(event: Event, payload: dict) -> None:
        roster_store.enroll(runtime, event, payload)

    @registry.on(topic, consumed.ENROLLMENT_WITHDRAWN, consumed.EnrollmentEnded())
    def enrollment_withdrawn(event: Event, payload: dict) -> None:
        roster_store.end(runtime, event, payload, "withdrawn")

    @registry.on(topic, consumed.ENROLLMENT_CANCELLED, consumed.EnrollmentEnded())
    def enrollment_cancelled(event: Event, payload: dict) -> None:
        roster_store.end(runtime, event, payload, "cancelled")

    @registry.on(topic, consumed.PARTICIPANT_ERASED, consumed.ParticipantErased())
    def participant_erased(event: Event, payload: dict) -> None:
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
        certificate_store.evaluate(runtime, payload["session_id"], cause=event)

    @registry.on(own_topic, consumed.ATTENDANCE_RECORDED, consumed.AttendanceRecorded())
    def attendance_recorded(event: Event, payload: dict) -> None:
        if session_store.get(runtime, payload["session_id"])["status"] == COMPLETED:
            certificate_store.evaluate(runtime, payload["session_id"], cause=event,
                                       only=payload["participant_id"])

    return registry
