"""HTTP bodies of the registration service."""

from marshmallow import RAISE, Schema, fields, validate

from services.registration.events import GENDERS

E164 = r"^\+[1-9][0-9]{6,14}$"
LANGUAGES = ("en", "ur")


class Strict(Schema):
    class Meta:
        unknown = RAISE


class Consent(Strict):
    policy_version = fields.String(required=True, validate=validate.Length(min=1, max=32))
    given_at = fields.AwareDateTime(required=True)


class ParticipantIn(Strict):
    given_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    family_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    gender = fields.String(required=True, validate=validate.OneOf(GENDERS))
    agency = fields.String(required=True, validate=validate.Length(min=1, max=120))
    email = fields.Email(required=True, validate=validate.Length(max=254))
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(
        E164, error="must be E.164, e.g. +923001234567"))
    preferred_language = fields.String(load_default="en", validate=validate.OneOf(LANGUAGES))
    consent = fields.Nested(Consent, required=True)


class ParticipantOut(Schema):
    """The full profile, for coordinators."""

    id = fields.String()
    given_name = fields.String()
    family_name = fields.String()
    gender = fields.String()
    agency = fields.String()
    email = fields.String()
    phone = fields.String(allow_none=True)
    preferred_language = fields.String()
    consent = fields.Nested(Consent)
    registered_at = fields.AwareDateTime()


class PseudonymousParticipantOut(Schema):
    """What `viewer` and `service` callers may see: no name, no contact."""

    id = fields.String()
    gender = fields.String()
    agency = fields.String()
    registered_at = fields.AwareDateTime()
