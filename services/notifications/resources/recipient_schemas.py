"""HTTP bodies of recipients and their preferences."""

from marshmallow import Schema, fields

from common.schemas import Out, Strict
from services.notifications.domain.preference_rules import CHANNELS


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


class RecipientOut(Out):
    role = fields.String(allow_none=True)
    given_name = fields.String(allow_none=True)
    family_name = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    language = fields.String()
    erased = fields.Boolean()
    updated_at = fields.AwareDateTime()
