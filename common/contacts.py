"""Contact details travel in no event: notifications asks their owner over HTTP when it needs them.

Registration (officers) and sessions (facilitators) each answer `GET .../{id}/contact` to the
`service` role alone (admin holds every role); an erased officer is a 410. Events carry only ids,
so erasing the profile erases the last copy the owner controls, and the event log holds nothing
that a key, lost or kept, could open.
"""

from marshmallow import Schema, fields

CONTACT_FIELDS = ("given_name", "family_name", "email", "phone")


class ContactOut(Schema):
    """Names, email, phone and language of one person, for the notifications service."""

    id = fields.String()
    given_name = fields.String()
    family_name = fields.String()
    email = fields.String()
    phone = fields.String(allow_none=True)
    preferred_language = fields.String()


def contact_of(document: dict) -> dict:
    """The contact fields of a stored profile, under the owner's id."""
    return {"id": document["_id"], **{k: document.get(k) for k in CONTACT_FIELDS},
            "preferred_language": document.get("preferred_language")}
