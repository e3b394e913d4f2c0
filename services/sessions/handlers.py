"""What sessions consumes: the one visible list of (topic, event type, handler)."""

from common.consumer import Registry
from common.envelope import Event
from common.runtime import Runtime
from common.topics import REGISTRATION_EVENTS
from services.sessions import consumed, roster


def build_registry(runtime: Runtime, topic: str = REGISTRATION_EVENTS) -> Registry:
    """The roster projection; ``topic`` is swappable so tests can use a throwaway one."""
    registry = Registry()

    @registry.on(topic, consumed.ENROLLMENT_CONFIRMED, consumed.EnrollmentConfirmed())
    def enrollment_confirmed(event: Event, payload: dict) -> None:
        roster.enroll(runtime, event, payload)

    @registry.on(topic, consumed.ENROLLMENT_PROMOTED, consumed.EnrollmentConfirmed())
    def enrollment_promoted(event: Event, payload: dict) -> None:
        roster.enroll(runtime, event, payload)

    @registry.on(topic, consumed.ENROLLMENT_WITHDRAWN, consumed.EnrollmentEnded())
    def enrollment_withdrawn(event: Event, payload: dict) -> None:
        roster.end(runtime, event, payload, "withdrawn")

    @registry.on(topic, consumed.ENROLLMENT_CANCELLED, consumed.EnrollmentEnded())
    def enrollment_cancelled(event: Event, payload: dict) -> None:
        roster.end(runtime, event, payload, "cancelled")

    @registry.on(topic, consumed.PARTICIPANT_ERASED, consumed.ParticipantErased())
    def participant_erased(event: Event, payload: dict) -> None:
        roster.erase(runtime, payload["participant_id"])

    return registry
