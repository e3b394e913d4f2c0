"""HTTP bodies of series: an ordered group of sessions, who may join it, its certificate rule."""

from marshmallow import Schema, fields, pre_dump, validate

from common.schemas import Query, Strict
from services.sessions.domain import certificate_rules
from services.sessions.resources.certificate_schemas import RuleOut
from services.sessions.resources.schema_fields import GENDERS, ID


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
        rule = certificate_rules.rule_of(series.get("certificate_rule"))
        return {**series, "certificate_rule": rule}


class SeriesQuery(Query):
    programme_id = fields.String(validate=ID)
