"""Recipients: participants' and facilitators' contact details, kept by notifications alone."""

from datetime import UTC, datetime

from common.envelope import Event
from common.runtime import Runtime
from common.sealing import unseal

COLLECTION = "recipients"
LANGUAGES = ("en", "ur")
CONTACT_FIELDS = ("given_name", "family_name", "email", "phone")


def _language(preferred: str | None) -> str:
    return preferred if preferred in LANGUAGES else "en"


def _project(runtime: Runtime, recipient_id: str, role: str, event: Event, sealed: str,
             language: str | None) -> dict:
    contact = unseal(sealed)
    fields = {name: contact.get(name) for name in CONTACT_FIELDS}
    recipient = {**fields, "role": role, "language": _language(language), "erased": False,
                 "updated_at": datetime.now(UTC), "source_event_id": event.id}
    # $set only these fields: preferences chosen over HTTP survive a profile update.
    runtime.db[COLLECTION].update_one({"_id": recipient_id}, {"$set": recipient}, upsert=True)
    return {"_id": recipient_id, **recipient}


def project_participant(runtime: Runtime, event: Event, payload: dict) -> dict:
    """Create or refresh a recipient from `registration.participant.registered` / `.updated`."""
    return _project(runtime, payload["participant_id"], "participant", event,
                    payload["contact_sealed"], payload.get("preferred_language"))


def project_facilitator(runtime: Runtime, event: Event, payload: dict) -> dict:
    """A facilitator assigned to a session becomes a recipient too."""
    return _project(runtime, payload["facilitator_id"], "facilitator", event,
                    payload["contact_sealed"], payload.get("preferred_language"))


def erase(runtime: Runtime, event: Event, participant_id: str) -> None:
    """Scrub names and contact details; the id stays so the feed still counts what was sent."""
    runtime.db[COLLECTION].update_one(
        {"_id": participant_id},
        {"$set": {**dict.fromkeys(CONTACT_FIELDS), "erased": True,
                  "updated_at": datetime.now(UTC), "source_event_id": event.id}},
        upsert=True)


def get(runtime: Runtime, recipient_id: str) -> dict | None:
    return runtime.db[COLLECTION].find_one({"_id": recipient_id})
