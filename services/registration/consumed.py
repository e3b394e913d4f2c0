"""The shapes of the sessions events registration consumes: its own copies, checked at the edge."""

from marshmallow import EXCLUDE, Schema, fields

SERIES_CREATED = "sessions.series.created"
SESSION_SCHEDULED = "sessions.session.scheduled"
SESSION_RESCHEDULED = "sessions.session.rescheduled"
SESSION_CAPACITY_CHANGED = "sessions.session.capacity_changed"
SESSION_CANCELLED = "sessions.session.cancelled"
SESSION_COMPLETED = "sessions.session.completed"
ATTENDANCE_RECORDED = "sessions.attendance.recorded"
FACILITATOR_ASSIGNED = "sessions.facilitator.assigned"
FACILITATOR_REMOVED = "sessions.facilitator.removed"


class Tolerant(Schema):
    """Reads what registration needs and tolerates fields added later."""

    class Meta:
        unknown = EXCLUDE


class Eligibility(Tolerant):
    genders = fields.List(fields.String(), allow_none=True, load_default=None)
    agencies = fields.List(fields.String(), allow_none=True, load_default=None)


class SeriesCreated(Tolerant):
    series_id = fields.String(required=True)
    programme_id = fields.String(allow_none=True, load_default=None)
    title = fields.String(allow_none=True, load_default=None)
    planned_sessions = fields.Integer(allow_none=True, load_default=None)
    origin_session_id = fields.String(allow_none=True, load_default=None)
    eligibility = fields.Nested(Eligibility, allow_none=True, load_default=None)


class SessionScheduled(Tolerant):
    session_id = fields.String(required=True)
    series_id = fields.String(allow_none=True, load_default=None)
    position = fields.Integer(allow_none=True, load_default=None)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    timezone = fields.String(required=True)
    capacity = fields.Integer(required=True)


class SessionRescheduled(Tolerant):
    session_id = fields.String(required=True)
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    timezone = fields.String(required=True)


class SessionCapacityChanged(Tolerant):
    session_id = fields.String(required=True)
    capacity = fields.Integer(required=True)


class SessionCancelled(Tolerant):
    session_id = fields.String(required=True)
    reason = fields.String(allow_none=True, load_default=None)


class SessionCompleted(Tolerant):
    session_id = fields.String(required=True)


class AttendanceRecorded(Tolerant):
    session_id = fields.String(required=True)
    participant_id = fields.String(required=True)
    day = fields.String(required=True)
    status = fields.String(required=True)


class FacilitatorChanged(Tolerant):
    """Assigned or removed: who facilitates which session (her contact stays sealed)."""

    session_id = fields.String(required=True)
    facilitator_id = fields.String(required=True)
