"""What notifications consumes: the one visible list of (topic, event type, handler)."""

from collections.abc import Callable
from datetime import UTC, datetime

from common.config import NotificationSettings, load_notification_settings
from common.dispatch import Registry
from common.envelope import Event
from common.runtime import Runtime
from common.topics import REGISTRATION_EVENTS, SESSIONS_EVENTS
from services.notifications import certificates, consumed, notifications, planning, recipients

C = consumed


def build_registry(runtime: Runtime, settings: NotificationSettings | None = None,
                   clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> Registry:
    settings = settings or load_notification_settings()
    offsets = settings.reminder_offsets
    registry = Registry()
    on_registration = lambda type_, schema: registry.on(REGISTRATION_EVENTS, type_, schema)  # noqa: E731
    on_sessions = lambda type_, schema: registry.on(SESSIONS_EVENTS, type_, schema)  # noqa: E731

    @on_registration(C.PARTICIPANT_REGISTERED, C.ParticipantRegistered())
    def participant_registered(event: Event, payload: dict) -> None:
        recipients.project_participant(runtime, event, payload)
        notifications.create(runtime, event, payload["participant_id"],
                             notifications.REGISTRATION_ACKNOWLEDGED, now=clock())

    @on_registration(C.PARTICIPANT_UPDATED, C.ParticipantRegistered())
    def participant_updated(event: Event, payload: dict) -> None:
        recipients.project_participant(runtime, event, payload)

    @on_registration(C.PARTICIPANT_ERASED, C.ParticipantErased())
    def participant_erased(event: Event, payload: dict) -> None:
        recipients.erase(runtime, event, payload["participant_id"])
        notifications.cancel_waiting(runtime, {"recipient_id": payload["participant_id"]},
                                     "participant erased")

    def enrollment_changed(event: Event, payload: dict) -> None:
        planning.enrollment_changed(runtime, event, payload, offsets, clock())

    for type_ in (C.ENROLLMENT_CONFIRMED, C.ENROLLMENT_PROMOTED, C.ENROLLMENT_WAITLISTED,
                  C.ENROLLMENT_WITHDRAWN, C.ENROLLMENT_CANCELLED):
        on_registration(type_, C.Enrollment())(enrollment_changed)

    for type_, schema, plan in (
            (C.SESSION_SCHEDULED, C.SessionScheduled(), planning.session_scheduled),
            (C.SESSION_RESCHEDULED, C.SessionRescheduled(), planning.session_rescheduled),
            (C.SESSION_CANCELLED, C.SessionChanged(), planning.session_cancelled),
            (C.SESSION_STARTED, C.SessionChanged(), planning.session_started),
            (C.SESSION_COMPLETED, C.SessionChanged(), planning.session_completed)):
        on_sessions(type_, schema)(_with_clock(plan, runtime, clock))

    @on_sessions(C.FACILITATOR_ASSIGNED, C.FacilitatorAssigned())
    def facilitator_assigned(event: Event, payload: dict) -> None:
        recipients.project_facilitator(runtime, event, payload)
        planning.facilitator_assigned(runtime, event, payload, offsets, clock())

    on_sessions(C.FACILITATOR_REMOVED, C.FacilitatorRemoved())(
        _with_clock(planning.facilitator_removed, runtime, clock))

    @on_sessions(C.CERTIFICATE_ISSUED, C.CertificateIssued())
    def certificate_issued(event: Event, payload: dict) -> None:
        certificates.issued(runtime, event, payload)

    @on_sessions(C.CERTIFICATE_REVOKED, C.CertificateRevoked())
    def certificate_revoked(event: Event, payload: dict) -> None:
        certificates.revoked(runtime, event, payload)

    return registry


def _with_clock(plan, runtime: Runtime, clock):
    def handle(event: Event, payload: dict) -> None:
        plan(runtime, event, payload, clock())
    handle.__name__ = plan.__name__
    return handle
