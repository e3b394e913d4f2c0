"""HTTP bodies of the managed list of agencies."""

from marshmallow import fields

from common.schemas import Out, Query, Strict
from services.registration.resources.participant_schemas import text


class AgencyIn(Strict):
    name = text(120, required=True)


class AgencyPatch(Strict):
    active = fields.Boolean(required=True, metadata={"description": "false retires it"})


class AgencyQuery(Query):
    active = fields.Boolean(load_default=None)


class AgencyOut(Out):
    name = fields.String()
    active = fields.Boolean()
    created_at = fields.AwareDateTime()
