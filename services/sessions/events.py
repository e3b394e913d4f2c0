"""Events sessions publishes on `sessions.events`, each with its payload schema."""

from marshmallow import RAISE, Schema, fields

SESSION_SCHEDULED = "sessions.session.scheduled"


class SessionScheduled(Schema):
    """A session is on the calendar: what registration and notifications need to act on it."""

    class Meta:
        unknown = RAISE

    session_id = fields.String(required=True)
    series_id = fields.String(allow_none=True, load_default=None)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    timezone = fields.String(required=True)
    capacity = fields.Integer(required=True)
    city = fields.String(allow_none=True, load_default=None)
