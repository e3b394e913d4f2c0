"""HTTP bodies of sessions: planning, lifecycle and facilitators' assignment."""

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from common.schemas import Query, Strict
from services.sessions.domain import lifecycle_rules
from services.sessions.domain.errors import InvalidDetailsError
from services.sessions.resources.schema_fields import (
    FORMATS,
    ID,
    IN_YEARS,
    KINDS,
    LANGUAGES,
    PLAUSIBLE_MOMENT,
    ROLES,
    names,
)


class SessionIn(Strict):
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    topics = names()
    format = fields.String(load_default="classroom", validate=validate.OneOf(FORMATS))
    starts_at = fields.AwareDateTime(required=True, validate=PLAUSIBLE_MOMENT, metadata=IN_YEARS)
    ends_at = fields.AwareDateTime(required=True, validate=PLAUSIBLE_MOMENT, metadata=IN_YEARS)
    timezone = fields.String(required=True, metadata={"example": "Asia/Karachi"})
    venue = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    city = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    country = fields.String(load_default=None, allow_none=True,
                            validate=validate.Length(max=100))
    capacity = fields.Integer(required=True, validate=validate.Range(min=0, max=10000))
    languages = fields.List(fields.String(validate=validate.OneOf(LANGUAGES)),
                            load_default=list)
    programme_id = fields.String(load_default=None, allow_none=True, validate=ID)
    series_id = fields.String(load_default=None, allow_none=True, validate=ID)
    draft = fields.Boolean(load_default=False, load_only=True,
                           metadata={"description": "keep it off the calendar for now"})

    @validates_schema
    def possible(self, data, **_):
        """The domain's rule, so the API and the domain cannot disagree."""
        try:
            lifecycle_rules.check_plan(data["starts_at"], data["ends_at"], data["timezone"],
                                       data["capacity"])
        except InvalidDetailsError as refused:
            raise ValidationError(refused.errors) from None


class SeriesSessionIn(SessionIn):
    """A session of a series' schedule: the series (and its programme) come from the path."""

    class Meta:
        exclude = ("programme_id", "series_id")


class ScheduleIn(Strict):
    sessions = fields.List(fields.Nested(SeriesSessionIn), required=True,
                           validate=validate.Length(min=1, max=50), metadata={
                               "description": "up to 50 (a series' most planned sessions); "
                                              "a refusal names each bad row by its index"})


class Assignment(Schema):
    facilitator_id = fields.String()
    role = fields.String()


class Reschedule(Schema):
    previous_starts_at = fields.AwareDateTime()
    previous_ends_at = fields.AwareDateTime()
    starts_at = fields.AwareDateTime()
    ends_at = fields.AwareDateTime()
    rescheduled_at = fields.AwareDateTime()


class SessionOut(SessionIn):
    class Meta:
        unknown = RAISE

    id = fields.String()
    status = fields.String()
    position = fields.Integer(allow_none=True)
    planned_sessions = fields.Integer(allow_none=True)
    facilitators = fields.List(fields.Nested(Assignment))
    reschedules = fields.List(fields.Nested(Reschedule))
    cancel_reason = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()


class SessionQuery(Query):
    programme_id = fields.String(validate=ID)
    series_id = fields.String(validate=ID)
    status = fields.String(validate=validate.OneOf(lifecycle_rules.STATUSES))


class RescheduleIn(Strict):
    starts_at = fields.AwareDateTime(required=True, validate=PLAUSIBLE_MOMENT, metadata=IN_YEARS)
    ends_at = fields.AwareDateTime(required=True, validate=PLAUSIBLE_MOMENT, metadata=IN_YEARS)
    timezone = fields.String(validate=validate.Length(min=1, max=64))
    venue = fields.String(allow_none=True, validate=validate.Length(max=200))
    city = fields.String(allow_none=True, validate=validate.Length(max=100))
    country = fields.String(allow_none=True, validate=validate.Length(max=100))


class CapacityIn(Strict):
    capacity = fields.Integer(required=True, validate=validate.Range(min=0, max=10000))


class CancelIn(Strict):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class AssignmentIn(Strict):
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
