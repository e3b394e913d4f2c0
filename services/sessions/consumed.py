"""The shapes of the events sessions consumes: its own copies, checked at the edge."""

from marshmallow import EXCLUDE, Schema, fields

ENROLLMENT_CONFIRMED = "registration.enrollment.confirmed"
ENROLLMENT_PROMOTED = "registration.enrollment.promoted"
ENROLLMENT_WITHDRAWN = "registration.enrollment.withdrawn"
ENROLLMENT_CANCELLED = "registration.enrollment.cancelled"
PARTICIPANT_ERASED = "registration.participant.erased"


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
