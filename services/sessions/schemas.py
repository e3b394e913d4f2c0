"""HTTP bodies of the sessions service: programmes, series, sessions and facilitators."""

from datetime import UTC, date, datetime

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    pre_dump,
    validate,
    validates_schema,
)

from common.schemas import E164, FullMatch, Query, Strict, moments_between
from services.sessions.certificate_schemas import RuleOut
from services.sessions.domain import certificates, lifecycle
from services.sessions.domain.errors import InvalidDetailsError

KINDS = ("training_workshop", "coaching_session")
FORMATS = ("classroom", "semi_structured_coaching")
ROLES = ("regional_advisor", "law_enforcement_expert", "prosecution_expert", "trainer",
         "coach", "interpreter")
LANGUAGES = ("en", "ur")
# Who a series may be open to: the genders registration records (its GENDERS).
GENDERS = ("female", "male", "other", "not_stated")
ID = validate.Length(min=1, max=64)
# Plausible years for what is planned here (README, "What the APIs accept"); they also keep
# a moment's UTC form and a reminder days before it inside the calendar.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
PLAUSIBLE_MOMENT = moments_between(datetime(2000, 1, 1, tzinfo=UTC),
                                   datetime(2099, 12, 31, 23, 59, 59, tzinfo=UTC))
PLAUSIBLE_DAY = validate.Range(min=FIRST_DAY, max=LAST_DAY,
                               error="must be between 2000-01-01 and 2099-12-31")
IN_YEARS = {"description": "between 2000-01-01T00:00:00Z and 2099-12-31T23:59:59Z"}


def _names(max_items: int = 20):
    return fields.List(fields.String(validate=validate.Length(min=1, max=120)),
                       load_default=list, validate=validate.Length(max=max_items))


class Period(Strict):
    starts_on = fields.Date(required=True, validate=PLAUSIBLE_DAY,
                            metadata={"description": "between 2000-01-01 and 2099-12-31"})
    ends_on = fields.Date(required=True, validate=PLAUSIBLE_DAY,
                          metadata={"description": "between 2000-01-01 and 2099-12-31, "
                                                   "not before starts_on"})


class ProgrammeIn(Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(load_default=None, allow_none=True,
                                validate=validate.Length(max=4000),
                                metadata={"multiline": True,
                                          "description": "may run over several lines"})
    donors = _names()
    countries = _names()
    period = fields.Nested(Period, load_default=None, allow_none=True)


class PeriodOut(Schema):
    starts_on = fields.String(metadata={"format": "date"})
    ends_on = fields.String(metadata={"format": "date"})


class ProgrammeOut(ProgrammeIn):
    id = fields.String()
    period = fields.Nested(PeriodOut, allow_none=True)
    created_at = fields.AwareDateTime()


class Eligibility(Strict):
    genders = fields.List(fields.String(validate=validate.OneOf(GENDERS)), load_default=None,
                          allow_none=True, validate=validate.Length(max=len(GENDERS)),
                          metadata={"description": f"any of: {', '.join(GENDERS)}"})
    agencies = fields.List(fields.String(validate=validate.Length(min=1, max=120)),
                           load_default=None, allow_none=True, validate=validate.Length(max=50),
                           metadata={"description": "names as listed by registration's "
                                                    "GET /agencies"})


class SeriesIn(Strict):
    programme_id = fields.String(required=True, validate=ID)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    planned_sessions = fields.Integer(required=True, validate=validate.Range(min=1, max=50))
    origin_session_id = fields.String(load_default=None, allow_none=True, validate=ID,
                                      metadata={"description": "the workshop the cohort came from"})
    eligibility = fields.Nested(Eligibility, load_default=None, allow_none=True)


class SeriesSession(Schema):
    session_id = fields.String()
    title = fields.String()
    starts_at = fields.AwareDateTime()
    timezone = fields.String()
    status = fields.String()
    position = fields.Integer()


class SeriesOut(SeriesIn):
    id = fields.String()
    created_at = fields.AwareDateTime()
    sessions = fields.List(fields.Nested(SeriesSession))
    next_session = fields.Nested(SeriesSession, allow_none=True)
    certificate_rule = fields.Nested(RuleOut, dump_only=True, metadata={
        "description": "who completes the series (defaults filled in); set with "
                       "PUT /series/{id}/certificate-rule"})

    @pre_dump
    def _rule_with_defaults(self, series: dict, **_) -> dict:
        return {**series, "certificate_rule": certificates.rule_of(series.get("certificate_rule"))}


class SeriesQuery(Query):
    programme_id = fields.String(validate=ID)


class SessionIn(Strict):
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    topics = _names()
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
            lifecycle.check_plan(data["starts_at"], data["ends_at"], data["timezone"],
                                 data["capacity"])
        except InvalidDetailsError as refused:
            raise ValidationError(refused.errors) from None


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
    status = fields.String(validate=validate.OneOf(lifecycle.STATUSES))


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


class FacilitatorIn(Strict):
    given_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    family_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    organisation = fields.String(required=True, validate=validate.Length(min=1, max=200))
    expertise = _names()
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=254))
    phone = fields.String(load_default=None, allow_none=True, validate=FullMatch(
        E164, error="must be E.164, e.g. +923001234567"))
    preferred_language = fields.String(load_default="en", validate=validate.OneOf(LANGUAGES))


class FacilitatorOut(FacilitatorIn):
    id = fields.String()
    created_at = fields.AwareDateTime()


class AssignmentIn(Strict):
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
