"""Events sessions publishes on `sessions.events`, each with its payload schema (docs/events.md)."""

from marshmallow import RAISE, Schema, fields

PROGRAMME_CREATED = "sessions.programme.created"
SERIES_CREATED = "sessions.series.created"
SESSION_SCHEDULED = "sessions.session.scheduled"
SESSION_RESCHEDULED = "sessions.session.rescheduled"
SESSION_CAPACITY_CHANGED = "sessions.session.capacity_changed"
SESSION_STARTED = "sessions.session.started"
SESSION_COMPLETED = "sessions.session.completed"
SESSION_CANCELLED = "sessions.session.cancelled"
FACILITATOR_ASSIGNED = "sessions.facilitator.assigned"
FACILITATOR_REMOVED = "sessions.facilitator.removed"
ATTENDANCE_RECORDED = "sessions.attendance.recorded"
FEEDBACK_SUBMITTED = "sessions.feedback.submitted"
CERTIFICATE_ISSUED = "sessions.certificate.issued"
CERTIFICATE_REVOKED = "sessions.certificate.revoked"


class Payload(Schema):
    class Meta:
        unknown = RAISE


class ProgrammeCreated(Payload):
    programme_id = fields.String(required=True)
    name = fields.String(required=True)
    donors = fields.List(fields.String(), required=True)
    countries = fields.List(fields.String(), required=True)


class Eligibility(Payload):
    genders = fields.List(fields.String(), allow_none=True, load_default=None)
    agencies = fields.List(fields.String(), allow_none=True, load_default=None)


class SeriesCreated(Payload):
    series_id = fields.String(required=True)
    programme_id = fields.String(required=True)
    title = fields.String(required=True)
    planned_sessions = fields.Integer(required=True)
    origin_session_id = fields.String(allow_none=True, required=True)
    eligibility = fields.Nested(Eligibility, required=True)


class SessionScheduled(Payload):
    """A session is on the calendar: what registration and notifications need to act on it."""

    session_id = fields.String(required=True)
    series_id = fields.String(allow_none=True, load_default=None)
    position = fields.Integer(allow_none=True, load_default=None)
    planned_sessions = fields.Integer(allow_none=True, load_default=None)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    timezone = fields.String(required=True)
    capacity = fields.Integer(required=True)
    venue = fields.String(allow_none=True, load_default=None)
    city = fields.String(allow_none=True, load_default=None)
    country = fields.String(allow_none=True, load_default=None)
    languages = fields.List(fields.String(), load_default=list)


class SessionRescheduled(Payload):
    session_id = fields.String(required=True)
    series_id = fields.String(allow_none=True, required=True)
    previous_starts_at = fields.AwareDateTime(required=True)
    previous_ends_at = fields.AwareDateTime(required=True)
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    timezone = fields.String(required=True)
    venue = fields.String(allow_none=True, load_default=None)
    city = fields.String(allow_none=True, load_default=None)
    country = fields.String(allow_none=True, load_default=None)


class SessionCapacityChanged(Payload):
    session_id = fields.String(required=True)
    capacity = fields.Integer(required=True)


class SessionChanged(Payload):
    """`started` and `completed`: which session, in which series."""

    session_id = fields.String(required=True)
    series_id = fields.String(allow_none=True, required=True)


class SessionCancelled(SessionChanged):
    reason = fields.String(required=True)


class FacilitatorAssigned(Payload):
    session_id = fields.String(required=True)
    facilitator_id = fields.String(required=True)
    role = fields.String(required=True)
    preferred_language = fields.String(required=True)


class FacilitatorRemoved(Payload):
    session_id = fields.String(required=True)
    facilitator_id = fields.String(required=True)
    role = fields.String(required=True)


class AttendanceRecorded(Payload):
    session_id = fields.String(required=True)
    participant_id = fields.String(required=True)
    day = fields.String(required=True, metadata={"description": "YYYY-MM-DD, local date"})
    status = fields.String(required=True)


class FeedbackSubmitted(Payload):
    """Least data: the rating, not the comments."""

    session_id = fields.String(required=True)
    series_id = fields.String(allow_none=True, required=True)
    rating = fields.Integer(required=True)


class _Certificate(Payload):
    """Ids, the code and the course; never a name (notifications has them)."""

    certificate_id = fields.String(required=True)
    code = fields.String(required=True, metadata={"description": "the public verification code"})
    participant_id = fields.String(allow_none=True, required=True,
                                   metadata={"description": "null once she was erased"})
    programme_id = fields.String(allow_none=True, required=True)
    series_id = fields.String(allow_none=True, required=True,
                              metadata={"description": "the series completed, or null"})
    session_id = fields.String(allow_none=True, required=True,
                               metadata={"description": "a session held alone (a workshop)"})
    decided_by = fields.String(required=True, metadata={"description": "`rule` or `coordinator`"})


class CertificateIssued(_Certificate):
    title = fields.String(required=True, metadata={"description": "the series' or session's"})
    session_ids = fields.List(fields.String(), required=True,
                              metadata={"description": "the sessions she attended"})
    days_attended = fields.Integer(required=True)
    days_held = fields.Integer(required=True)


class CertificateRevoked(_Certificate):
    reason = fields.String(required=True)


PUBLISHED = {
    PROGRAMME_CREATED: ProgrammeCreated,
    SERIES_CREATED: SeriesCreated,
    SESSION_SCHEDULED: SessionScheduled,
    SESSION_RESCHEDULED: SessionRescheduled,
    SESSION_CAPACITY_CHANGED: SessionCapacityChanged,
    SESSION_STARTED: SessionChanged,
    SESSION_COMPLETED: SessionChanged,
    SESSION_CANCELLED: SessionCancelled,
    FACILITATOR_ASSIGNED: FacilitatorAssigned,
    FACILITATOR_REMOVED: FacilitatorRemoved,
    ATTENDANCE_RECORDED: AttendanceRecorded,
    FEEDBACK_SUBMITTED: FeedbackSubmitted,
    CERTIFICATE_ISSUED: CertificateIssued,
    CERTIFICATE_REVOKED: CertificateRevoked,
}
