"""HTTP bodies of enrollments and of sessions' seats (as registration sees them)."""

from marshmallow import Schema, fields, validate

from common.schemas import Out, Query, Strict

STATUSES = ("confirmed", "waitlisted", "rejected", "withdrawn", "cancelled")


class EnrollmentIn(Strict):
    participant_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    session_id = fields.String(required=True, validate=validate.Length(min=1, max=64))


class GroupEnrollmentIn(Strict):
    participant_ids = fields.List(
        fields.String(validate=validate.Length(min=1, max=64)), required=True,
        validate=validate.Length(min=1, max=500),
        metadata={"description": "the officers to enroll, in order (each once; at most 500)"})


class EnrollmentQuery(Query):
    session_id = fields.String(load_default=None)
    series_id = fields.String(load_default=None)
    participant_id = fields.String(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    agency = fields.String(load_default=None)


class EnrollmentOut(Out):
    """Pseudonymous: ids, status, and the gender and agency the indicators count."""

    participant_id = fields.String()
    session_id = fields.String()
    series_id = fields.String(allow_none=True)
    status = fields.String()
    position = fields.Integer(allow_none=True,
                              metadata={"description": "place on the waiting list, 1-based"})
    reason = fields.String(allow_none=True)
    previous_status = fields.String(allow_none=True)
    gender = fields.String()
    agency = fields.String()
    requested_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class GroupOutcomeOut(Schema):
    """One officer's outcome: 201 with her enrollment; 409 (erased, already enrolled: then
    `existing_id`, or the session closed) or 422 (no such participant) with why not."""

    participant_id = fields.String()
    status = fields.Integer()
    enrollment = fields.Nested(EnrollmentOut, allow_none=True)
    message = fields.String()
    existing_id = fields.String()


class GroupEnrollmentOut(Schema):
    session_id = fields.String()
    outcomes = fields.List(fields.Nested(GroupOutcomeOut))


class EnrollmentRecord(EnrollmentOut):
    """An enrollment as registration keeps it, in a participant's export."""

    revision = fields.Integer(metadata={"description": "the seat-log entry it was copied at"})


class WaitingOut(Schema):
    position = fields.Integer()
    participant_id = fields.String()
    enrollment_id = fields.String()


class SessionSeatsOut(Out):
    """A session as registration projects it: its seats and waiting list."""

    series_id = fields.String(allow_none=True)
    position = fields.Integer(allow_none=True)
    kind = fields.String()
    title = fields.String()
    starts_at = fields.AwareDateTime()
    ends_at = fields.AwareDateTime()
    timezone = fields.String()
    status = fields.String()
    capacity = fields.Integer()
    seats_left = fields.Integer()
    confirmed = fields.Integer()
    waiting_list = fields.List(fields.Nested(WaitingOut))


class AttendanceNameOut(Schema):
    """What an attendance sheet needs to call a name, and nothing more (no contact details)."""

    participant_id = fields.String()
    given_name = fields.String(allow_none=True)
    family_name = fields.String(allow_none=True)
    agency = fields.String()
