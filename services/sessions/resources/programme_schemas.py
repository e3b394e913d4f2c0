"""HTTP bodies of programmes: what a donor funds."""

from marshmallow import Schema, fields, validate

from common.schemas import Strict
from services.sessions.resources.schema_fields import PLAUSIBLE_DAY, names


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
    donors = names()
    countries = names()
    period = fields.Nested(Period, load_default=None, allow_none=True)


class PeriodOut(Schema):
    starts_on = fields.String(metadata={"format": "date"})
    ends_on = fields.String(metadata={"format": "date"})


class ProgrammeOut(ProgrammeIn):
    id = fields.String()
    period = fields.Nested(PeriodOut, allow_none=True)
    created_at = fields.AwareDateTime()
