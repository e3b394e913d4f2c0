"""The shapes of the events notifications consumes: its own copies, checked at the edge."""

from marshmallow import EXCLUDE, Schema, fields

PARTICIPANT_REGISTERED = "registration.participant.registered"


class ParticipantRegistered(Schema):
    """Notifications reads what it needs and tolerates fields added later."""

    class Meta:
        unknown = EXCLUDE

    participant_id = fields.String(required=True)
    preferred_language = fields.String(required=True)
    contact_sealed = fields.String(required=True)
