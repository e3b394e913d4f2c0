"""HTTP bodies of the notifications service."""

from marshmallow import Schema, fields, validate

from common.schemas import Query, Strict
from services.notifications.notifications import STATUSES, TEMPLATES
from services.notifications.preferences import CHANNELS
from services.notifications.recipients import LANGUAGES


class NotificationQuery(Query):
    recipient_id = fields.String(validate=validate.Length(max=64))
    session_id = fields.String(validate=validate.Length(max=64))
    status = fields.String(validate=validate.OneOf(STATUSES))
    kind = fields.String(validate=validate.Length(max=64))


class AttemptOut(Schema):
    at = fields.AwareDateTime()
    ok = fields.Boolean()
    error = fields.String(allow_none=True)
    channel = fields.String()


class NotificationOut(Schema):
    """One notification in the feed: no address, no message body."""

    id = fields.String()
    recipient_id = fields.String()
    session_id = fields.String(allow_none=True)
    kind = fields.String()
    template = fields.String()
    channel = fields.String()
    status = fields.String()
    status_reason = fields.String(allow_none=True)
    due_at = fields.AwareDateTime(allow_none=True)
    sent_at = fields.AwareDateTime(allow_none=True)
    subject = fields.String(allow_none=True)
    language = fields.String(allow_none=True)
    attempts = fields.List(fields.Nested(AttemptOut))
    cause_event_id = fields.String()
    cause_type = fields.String()
    correlationid = fields.String()
    created_at = fields.AwareDateTime()


class ReminderPreferences(Strict):
    email = fields.Boolean()
    sms = fields.Boolean()


class PreferencesIn(Strict):
    """Critical notices (reschedule, cancellation) cannot be switched off, so only reminders."""

    reminders = fields.Nested(ReminderPreferences, required=True,
                              metadata={"description": f"per channel: {', '.join(CHANNELS)}"})


class PreferencesOut(Schema):
    recipient_id = fields.String()
    reminders = fields.Dict(keys=fields.String(), values=fields.Boolean())


class RecipientOut(Schema):
    id = fields.String()
    role = fields.String(allow_none=True)
    given_name = fields.String(allow_none=True)
    family_name = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    language = fields.String()
    erased = fields.Boolean()
    updated_at = fields.AwareDateTime()


class PreviewQuery(Query):
    language = fields.String(load_default="en", validate=validate.OneOf(LANGUAGES))


class PreviewOut(Schema):
    kind = fields.String(validate=validate.OneOf(TEMPLATES))
    language = fields.String(metadata={"description": "the language used (English fallback)"})
    subject = fields.String()
    text = fields.String()
    html = fields.String()
    calendar = fields.String(allow_none=True)
