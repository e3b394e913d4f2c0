"""What notifications consumes: the one visible list of (topic, event type, handler)."""

from common.consumer import Registry
from common.envelope import Event
from common.runtime import Runtime
from common.topics import REGISTRATION_EVENTS
from services.notifications import consumed, notifications, recipients


def build_registry(runtime: Runtime) -> Registry:
    registry = Registry()

    @registry.on(REGISTRATION_EVENTS, consumed.PARTICIPANT_REGISTERED,
                 consumed.ParticipantRegistered())
    def participant_registered(event: Event, payload: dict) -> None:
        recipients.project_registration(runtime, event, payload)
        notifications.create(runtime, event, payload["participant_id"],
                             notifications.REGISTRATION_ACKNOWLEDGED)

    return registry
