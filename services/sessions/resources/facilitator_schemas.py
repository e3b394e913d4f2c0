"""HTTP bodies of facilitators: the people who lead sessions (names: coordinators only)."""

from marshmallow import fields, validate

from common.schemas import E164, FullMatch, Strict
from services.sessions.resources.schema_fields import LANGUAGES, names


class FacilitatorIn(Strict):
    given_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    family_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    organisation = fields.String(required=True, validate=validate.Length(min=1, max=200))
    expertise = names()
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=254))
    phone = fields.String(load_default=None, allow_none=True, validate=FullMatch(
        E164, error="must be E.164, e.g. +923001234567"))
    preferred_language = fields.String(load_default="en", validate=validate.OneOf(LANGUAGES))


class FacilitatorOut(FacilitatorIn):
    id = fields.String()
    created_at = fields.AwareDateTime()
