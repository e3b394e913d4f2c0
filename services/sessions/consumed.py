"""The shapes of the events sessions consumes: its own copies, checked at the edge."""

from marshmallow import EXCLUDE, Schema, fields

ENROLLMENT_CONFIRMED = "registration.enrollment.confirmed"
ENROLLMENT_PROMOTED = "registration.enrollment.promoted"
ENROLLMENT_WITHDRAWN = "registration.enrollment.withdrawn"
ENROLLMENT_CANCELLED = "registration.enrollment.cancelled"
PARTICIPANT_ERASED = "registration.participant.erased"
PARTICIPANT_REGISTERED = "registration.participant.registered"
PARTICIPANT_UPDATED = "registration.participant.updated"
SESSION_COMPLETED = "sessions.session.completed"
ATTENDANCE_RECORDED = "sessions.attendance.recorded"


class Consumed(Schema):
    """Sessions reads what it needs and tolerates fields added later."""

    class Meta:
        unknown = EXCLUDE


class EnrollmentConfirmed(Consumed):
    """Also the shape of `promoted`: a promoted enrollment is confirmed."""

    enrollment_id = fields.String(required=True)
    participant_id = fields.String(required=True)
    session_id = fields.String(allow_none=True, load_default=None)
    series_id = fields.String(allow_none=True, load_default=None)
    gender = fields.String(allow_none=True, load_default=None)
    agency = fields.String(allow_none=True, load_default=None)


class EnrollmentEnded(Consumed):
    """`withdrawn` and `cancelled`: the participant leaves the roster."""

    enrollment_id = fields.String(required=True)
    participant_id = fields.String(required=True)
    session_id = fields.String(allow_none=True, load_default=None)
    series_id = fields.String(allow_none=True, load_default=None)


class ParticipantErased(Consumed):
    participant_id = fields.String(required=True)


class ParticipantNamed(Consumed):
    """Registered or updated: sessions keeps only her initials, for public verification."""

    participant_id = fields.String(required=True)
    initials = fields.String(allow_none=True, load_default=None)


class SessionCompleted(Consumed):
    session_id = fields.String(required=True)


class AttendanceRecorded(Consumed):
    session_id = fields.String(required=True)
    participant_id = fields.String(required=True)
