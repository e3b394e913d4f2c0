"""HTTP bodies of the notifications service."""

from marshmallow import RAISE, Schema, fields, validate

from services.notifications.notifications import STATUSES


class NotificationQuery(Schema):
    class Meta:
        unknown = RAISE

    recipient_id = fields.String(validate=validate.Length(max=64))
    status = fields.String(validate=validate.OneOf(STATUSES))
    kind = fields.String(validate=validate.Length(max=64))


class NotificationOut(Schema):
    id = fields.String()
    recipient_id = fields.String()
    kind = fields.String()
    channel = fields.String()
    status = fields.String()
    cause_event_id = fields.String()
    cause_type = fields.String()
    correlationid = fields.String()
    created_at = fields.AwareDateTime()


class RecipientOut(Schema):
    id = fields.String()
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    language = fields.String()
    updated_at = fields.AwareDateTime()
