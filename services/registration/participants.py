"""Registering officers: the profile, the duplicate rule and the event, written together."""

import uuid
from datetime import UTC, datetime

from pymongo.errors import DuplicateKeyError

from common.runtime import Runtime
from common.sealing import seal
from services.registration import events

COLLECTION = "participants"


class DuplicateParticipantError(Exception):
    def __init__(self, existing_id: str | None):
        super().__init__("a participant with this email is already registered")
        self.existing_id = existing_id


def email_key(email: str) -> str:
    return email.strip().lower()


def register(runtime: Runtime, profile: dict) -> dict:
    """Store a new participant and `registration.participant.registered` in one write."""
    participant_id = str(uuid.uuid4())
    document = {"_id": participant_id, **profile, "email_key": email_key(profile["email"]),
                "registered_at": datetime.now(UTC)}
    contact = {"given_name": profile["given_name"], "family_name": profile["family_name"],
               "email": profile["email"], "phone": profile.get("phone")}
    event = runtime.event(events.PARTICIPANT_REGISTERED, participant_id,
                          events.ParticipantRegistered().dump({
                              "participant_id": participant_id, "gender": profile["gender"],
                              "agency": profile["agency"],
                              "preferred_language": profile["preferred_language"],
                              "contact_sealed": seal(contact)}))
    try:
        return runtime.insert(COLLECTION, document, [event])
    except DuplicateKeyError:
        existing = runtime.db[COLLECTION].find_one({"email_key": document["email_key"]},
                                                  {"_id": 1})
        raise DuplicateParticipantError(existing["_id"] if existing else None) from None


def get(runtime: Runtime, participant_id: str) -> dict | None:
    return runtime.db[COLLECTION].find_one({"_id": participant_id}, {"outbox": 0})


def ensure_indexes(runtime: Runtime) -> None:
    collection = runtime.db[COLLECTION]
    collection.create_index("email_key", unique=True)
    collection.create_index("outbox_pending")
