"""HTTP bodies of the sessions service."""

from zoneinfo import available_timezones

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    validate,
    validates,
    validates_schema,
)

KINDS = ("training_workshop", "coaching_session")
FORMATS = ("classroom", "semi_structured_coaching")


class SessionIn(Schema):
    class Meta:
        unknown = RAISE

    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    topics = fields.List(fields.String(validate=validate.Length(min=1, max=120)),
                         load_default=list, validate=validate.Length(max=20))
    format = fields.String(load_default="classroom", validate=validate.OneOf(FORMATS))
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    timezone = fields.String(required=True, metadata={"example": "Asia/Karachi"})
    venue = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    city = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    country = fields.String(load_default=None, allow_none=True,
                            validate=validate.Length(max=100))
    capacity = fields.Integer(required=True, validate=validate.Range(min=0, max=10000))
    series_id = fields.String(load_default=None, allow_none=True,
                              validate=validate.Length(max=64))

    @validates("timezone")
    def known_timezone(self, value, **_):
        if value not in _zones():
            raise ValidationError("unknown IANA timezone, e.g. Asia/Karachi")

    @validates_schema
    def ends_after_start(self, data, **_):
        if data["ends_at"] <= data["starts_at"]:
            raise ValidationError("must be after starts_at", field_name="ends_at")


def _zones() -> set[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = available_timezones()
    return _ZONES


_ZONES: set[str] | None = None


class SessionOut(SessionIn):
    class Meta:
        unknown = RAISE

    id = fields.String()
    status = fields.String()
    created_at = fields.AwareDateTime()
