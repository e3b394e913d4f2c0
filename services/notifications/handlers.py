"""What notifications consumes: the one visible list of (topic, event type, handler)."""

from collections.abc import Callable
from datetime import UTC, datetime

from common.config import NotificationSettings, load_notification_settings
from common.dispatch import Registry
from common.runtime import Runtime
from common.topics import REGISTRATION_EVENTS, SESSIONS_EVENTS
from services.notifications import consumed
from services.notifications.planning import Planner
from services.notifications.stores.notification_store import OnCreated

C = consumed


def build_registry(runtime: Runtime, settings: NotificationSettings | None = None,
                   clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                   on_created: OnCreated | None = None,
                   claim_at_birth: Callable[[list[dict]], list[dict]] | None = None
                   ) -> Registry:
    """``on_created`` receives each notification as it is stored (the worker's sender), which
    ``claim_at_birth`` may claim in their insert (see `SendQueue.claim_at_birth`)."""
    settings = settings or load_notification_settings()
    plan = Planner(runtime, settings.reminder_offsets, clock, on_created, claim_at_birth)
    registry = Registry()
    # Enrollment decisions are safe to see again without asking the processed events: the
    # projection keeps the latest decision (by its sequence, else its time) and the notices
    # are unique per cause, recipient and kind. They are most of what the consumer reads.
    # So are an officer's registration and update: her projection is the event's fields set
    # again (preferences and contact untouched; an erased one is scrubbed again), and her
    # acknowledgement is unique per cause. An import of thousands is thousands of reads saved.
    decisions = {C.ENROLLMENT_CONFIRMED, C.ENROLLMENT_PROMOTED, C.ENROLLMENT_WAITLISTED,
                 C.ENROLLMENT_WITHDRAWN, C.ENROLLMENT_CANCELLED,
                 C.PARTICIPANT_REGISTERED, C.PARTICIPANT_UPDATED}
    for topic, type_, schema, handler in (
            (REGISTRATION_EVENTS, C.PARTICIPANT_REGISTERED, C.ParticipantRegistered(),
             plan.participant_registered),
            (REGISTRATION_EVENTS, C.PARTICIPANT_UPDATED, C.ParticipantRegistered(),
             plan.participant_updated),
            (REGISTRATION_EVENTS, C.PARTICIPANT_ERASED, C.ParticipantErased(),
             plan.participant_erased),
            (REGISTRATION_EVENTS, C.ENROLLMENT_CONFIRMED, C.Enrollment(), plan.enrollment_changed),
            (REGISTRATION_EVENTS, C.ENROLLMENT_PROMOTED, C.Enrollment(), plan.enrollment_changed),
            (REGISTRATION_EVENTS, C.ENROLLMENT_WAITLISTED, C.Enrollment(),
             plan.enrollment_changed),
            (REGISTRATION_EVENTS, C.ENROLLMENT_WITHDRAWN, C.Enrollment(), plan.enrollment_changed),
            (REGISTRATION_EVENTS, C.ENROLLMENT_CANCELLED, C.Enrollment(), plan.enrollment_changed),
            (SESSIONS_EVENTS, C.SESSION_SCHEDULED, C.SessionScheduled(), plan.session_scheduled),
            (SESSIONS_EVENTS, C.SESSION_RESCHEDULED, C.SessionRescheduled(),
             plan.session_rescheduled),
            (SESSIONS_EVENTS, C.SESSION_CANCELLED, C.SessionChanged(), plan.session_cancelled),
            (SESSIONS_EVENTS, C.SESSION_STARTED, C.SessionChanged(), plan.session_started),
            (SESSIONS_EVENTS, C.SESSION_COMPLETED, C.SessionChanged(), plan.session_completed),
            (SESSIONS_EVENTS, C.FACILITATOR_ASSIGNED, C.FacilitatorAssigned(),
             plan.facilitator_assigned),
            (SESSIONS_EVENTS, C.FACILITATOR_REMOVED, C.FacilitatorRemoved(),
             plan.facilitator_removed),
            (SESSIONS_EVENTS, C.CERTIFICATE_ISSUED, C.CertificateIssued(),
             plan.certificate_issued),
            (SESSIONS_EVENTS, C.CERTIFICATE_REVOKED, C.CertificateRevoked(),
             plan.certificate_revoked)):
        registry.on(topic, type_, schema, repeat_safe=type_ in decisions)(handler)
    registry.before_batch(plan.prepare)
    registry.after_batch(plan.finish)
    registry.on_failed_batch(plan.drop)
    return registry
