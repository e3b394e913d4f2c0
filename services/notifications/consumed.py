"""The shapes of the events notifications consumes: its own copies, checked at the edge."""

from marshmallow import EXCLUDE, Schema, fields

PARTICIPANT_REGISTERED = "registration.participant.registered"
PARTICIPANT_UPDATED = "registration.participant.updated"
PARTICIPANT_ERASED = "registration.participant.erased"
ENROLLMENT_CONFIRMED = "registration.enrollment.confirmed"
ENROLLMENT_WAITLISTED = "registration.enrollment.waitlisted"
ENROLLMENT_PROMOTED = "registration.enrollment.promoted"
ENROLLMENT_WITHDRAWN = "registration.enrollment.withdrawn"
ENROLLMENT_CANCELLED = "registration.enrollment.cancelled"
SESSION_SCHEDULED = "sessions.session.scheduled"
SESSION_RESCHEDULED = "sessions.session.rescheduled"
SESSION_CANCELLED = "sessions.session.cancelled"
SESSION_STARTED = "sessions.session.started"
SESSION_COMPLETED = "sessions.session.completed"
FACILITATOR_ASSIGNED = "sessions.facilitator.assigned"
FACILITATOR_REMOVED = "sessions.facilitator.removed"
CERTIFICATE_ISSUED = "sessions.certificate.issued"
CERTIFICATE_REVOKED = "sessions.certificate.revoked"


class _Consumed(Schema):
    """Notifications reads what it needs and tolerates fields added later."""

    class Meta:
        unknown = EXCLUDE


class ParticipantRegistered(_Consumed):
    """`.registered` and `.updated`; only `.registered` may say `acknowledge: false`."""

    participant_id = fields.String(required=True)
    preferred_language = fields.String(required=True)
    acknowledge = fields.Boolean(load_default=True)  # absent in older events: acknowledge


class ParticipantErased(_Consumed):
    participant_id = fields.String(required=True)


class Enrollment(_Consumed):
    """Every `registration.enrollment.*` event carries these."""

    enrollment_id = fields.String(required=True)
    participant_id = fields.String(required=True)
    session_id = fields.String(required=True)
    series_id = fields.String(load_default=None, allow_none=True)
    sequence = fields.Integer(load_default=None, allow_none=True)
    position = fields.Integer(load_default=None, allow_none=True)
    reason = fields.String(load_default=None, allow_none=True)


class SessionScheduled(_Consumed):
    session_id = fields.String(required=True)
    series_id = fields.String(load_default=None, allow_none=True)
    position = fields.Integer(load_default=None, allow_none=True)
    planned_sessions = fields.Integer(load_default=None, allow_none=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    timezone = fields.String(required=True)
    venue = fields.String(load_default=None, allow_none=True)
    city = fields.String(load_default=None, allow_none=True)
    country = fields.String(load_default=None, allow_none=True)


class SessionRescheduled(_Consumed):
    session_id = fields.String(required=True)
    series_id = fields.String(load_default=None, allow_none=True)
    previous_starts_at = fields.AwareDateTime(required=True)
    previous_ends_at = fields.AwareDateTime(required=True)
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    timezone = fields.String(required=True)
    venue = fields.String(load_default=None, allow_none=True)
    city = fields.String(load_default=None, allow_none=True)
    country = fields.String(load_default=None, allow_none=True)


class SessionChanged(_Consumed):
    """`sessions.session.started`, `.completed` and `.cancelled` (which adds a reason)."""

    session_id = fields.String(required=True)
    series_id = fields.String(load_default=None, allow_none=True)
    reason = fields.String(load_default=None, allow_none=True)


class FacilitatorAssigned(_Consumed):
    session_id = fields.String(required=True)
    facilitator_id = fields.String(required=True)
    role = fields.String(load_default=None, allow_none=True)
    preferred_language = fields.String(load_default="en")


class FacilitatorRemoved(_Consumed):
    session_id = fields.String(required=True)
    facilitator_id = fields.String(required=True)


class CertificateIssued(_Consumed):
    certificate_id = fields.String(required=True)
    code = fields.String(required=True)
    participant_id = fields.String(required=True)
    series_id = fields.String(load_default=None, allow_none=True)
    session_id = fields.String(load_default=None, allow_none=True)
    title = fields.String(required=True)
    session_ids = fields.List(fields.String(), load_default=list)
    days_attended = fields.Integer(load_default=None, allow_none=True)
    days_held = fields.Integer(load_default=None, allow_none=True)


class CertificateRevoked(_Consumed):
    certificate_id = fields.String(required=True)
