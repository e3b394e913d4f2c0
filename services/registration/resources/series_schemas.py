"""HTTP bodies of series and their cohorts."""

from marshmallow import Schema, fields, validate

from common.schemas import Out, Strict
from services.registration.domain.cohort_rules import SOURCES
from services.registration.resources.enrollment_schemas import EnrollmentOut


class Eligibility(Schema):
    genders = fields.List(fields.String(), allow_none=True)
    agencies = fields.List(fields.String(), allow_none=True)


class SeriesOut(Out):
    title = fields.String(allow_none=True)
    planned_sessions = fields.Integer(allow_none=True)
    origin_session_id = fields.String(allow_none=True)
    eligibility = fields.Nested(Eligibility, allow_none=True, metadata={
        "description": "who may join: genders and agencies (null or empty: anyone)"})
    cohort = fields.List(fields.String())


class CohortMemberIn(Strict):
    participant_id = fields.String(required=True, validate=validate.Length(min=1, max=64))


class CohortFromSessionIn(Strict):
    session_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    include = fields.String(required=True, validate=validate.OneOf(SOURCES), metadata={
        "description": "attendees (from attendance records) or confirmed participants"})


class CohortJoinOut(Schema):
    series_id = fields.String()
    participant_id = fields.String()
    enrollments = fields.List(fields.Nested(EnrollmentOut))


class RefusedOut(Schema):
    participant_id = fields.String()
    reason = fields.String()


class CohortFromSessionOut(Schema):
    series_id = fields.String()
    session_id = fields.String()
    include = fields.String()
    joined = fields.List(fields.String())
    refused = fields.List(fields.Nested(RefusedOut))
