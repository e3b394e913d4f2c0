"""Events registration publishes on `registration.events`, each with its payload schema."""

from marshmallow import RAISE, Schema, fields, validate

PARTICIPANT_REGISTERED = "registration.participant.registered"

GENDERS = ("female", "male", "other", "not_stated")


class ParticipantRegistered(Schema):
    """A new officer profile. Contact details are sealed for notifications alone."""

    class Meta:
        unknown = RAISE

    participant_id = fields.String(required=True)
    gender = fields.String(required=True, validate=validate.OneOf(GENDERS))
    agency = fields.String(required=True)
    preferred_language = fields.String(required=True)
    contact_sealed = fields.String(
        required=True, metadata={"description": "names, email and phone, for notifications"})
