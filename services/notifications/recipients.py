"""Recipients: the projection of participants' contact details that notifications keeps."""

from datetime import UTC, datetime

from common.envelope import Event
from common.runtime import Runtime
from common.sealing import unseal

COLLECTION = "recipients"


def project_registration(runtime: Runtime, event: Event, payload: dict) -> dict:
    """Create or refresh a recipient from `registration.participant.registered`."""
    contact = unseal(payload["contact_sealed"])
    recipient = {"email": contact.get("email"), "phone": contact.get("phone"),
                 "language": payload["preferred_language"], "updated_at": datetime.now(UTC),
                 "source_event_id": event.id}
    runtime.db[COLLECTION].update_one({"_id": payload["participant_id"]}, {"$set": recipient},
                                      upsert=True)
    return {"_id": payload["participant_id"], **recipient}


def get(runtime: Runtime, recipient_id: str) -> dict | None:
    return runtime.db[COLLECTION].find_one({"_id": recipient_id})
