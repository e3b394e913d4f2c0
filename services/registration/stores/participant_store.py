"""Officers' profiles: the duplicate rules, the keyed service number, erasure, their events.

The service number is never stored or sent in clear: only an HMAC-SHA256 of agency and number,
keyed by `SERVICE_NUMBER_HASH_KEY`, so duplicates can be found but the number cannot be read back.
"""

import hashlib
import hmac
import uuid
from datetime import UTC, datetime

from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from common.config import service_number_hash_key
from common.persistence import by_id, claims, together
from common.runtime import Runtime
from services.registration import events
from services.registration.domain import profile_rules
from services.registration.domain.errors import (
    DuplicateParticipantError,
    ErasedContactError,
    ErasedParticipantError,
    InvalidFieldError,
    InvalidProfileError,
    UnknownParticipantError,
)
from services.registration.stores import (
    agency_store,
    host_numbered,
    listed_pages,
    listed_profiles,
)

COLLECTION = "participants"
# Registration order, numbered by `_id` (`numbered_log`): stream "all", and one per agency
# ("agency:<name key>"). A page is read by `_id`, so its cost does not grow with the officers.
PAGES = "participant_pages"
# One document per erased officer, `{_id, at}` and nothing else: claimed before her profile is
# scrubbed, and looked for after every write to a profile.
ERASED = "erased_participants"
PERSONAL = ("given_name", "family_name", "email", "phone", "unit", "rank", "duty_station",
            "preferred_language", "consent")


def service_number_key(agency: str, number: str) -> str:
    """Keyed hash of (agency, service number): equal for the same officer, unreadable."""
    key = service_number_hash_key().encode()
    normal = "".join(ch for ch in number.upper() if ch.isalnum())
    message = f"{profile_rules.agency_key(agency)}\n{normal}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _identity(participant_id: str, agency: str, number: str | None) -> dict:
    # Officers without a service number get a unique placeholder so the unique index holds.
    key = service_number_key(agency, number) if number else f"none:{participant_id}"
    return {"service_number_key": key, "has_service_number": bool(number)}


def _listed_agency(runtime: Runtime, name: str) -> str:
    listed = agency_store.canonical(runtime, name)
    if listed is None:
        raise InvalidFieldError("agency", f"'{name}' is not on the list of agencies; "
                                          "an administrator or coordinator can add it")
    return listed


def check_duplicates(runtime: Runtime, document: dict, exclude: str | None = None) -> None:
    collection = runtime.db[COLLECTION]
    others = {"_id": {"$ne": exclude}} if exclude else {}
    same_email = collection.find_one({"email_key": document["email_key"], **others}, {"_id": 1})
    if same_email:
        raise DuplicateParticipantError(same_email["_id"])
    same_number = collection.find_one(
        {"service_number_key": document["service_number_key"], **others}, {"_id": 1})
    if same_number:
        raise DuplicateParticipantError(same_number["_id"], "this agency and service number")


# Built once: a schema costs more to build than to dump (a bulk import announces 500).
_ANNOUNCED = {events.PARTICIPANT_UPDATED: events.ParticipantUpdated(),
              events.PARTICIPANT_REGISTERED: events.ParticipantRegistered()}


def announcement(runtime: Runtime, kind: str, document: dict, acknowledge: bool = True):
    """Her event; ``acknowledge=False`` (registered for the record) is said in it, true is
    left out (least data: consumers read a missing field as true)."""
    schema = _ANNOUNCED[kind]
    return runtime.event(kind, document["_id"], schema.dump({
        "participant_id": document["_id"], "gender": document["gender"],
        "agency": document["agency"], "preferred_language": document["preferred_language"],
        "initials": profile_rules.initials(document),
        **({} if acknowledge else {"acknowledge": False})}))


def new_document(runtime: Runtime, profile: dict) -> dict:
    """A new officer's profile as stored (not written yet); InvalidFieldError if her agency is
    not on the list."""
    participant_id = str(uuid.uuid4())
    profile = dict(profile)
    number = profile.pop("service_number", None)
    agency = _listed_agency(runtime, profile["agency"])
    return {"_id": participant_id, **profile, "agency": agency,
            "email_key": profile_rules.email_key(profile["email"]),
            **_identity(participant_id, agency, number), "registered_at": datetime.now(UTC)}


def register(runtime: Runtime, profile: dict) -> dict:
    """Store a new participant and `registration.participant.registered` in one write."""
    document = new_document(runtime, profile)
    event = announcement(runtime, events.PARTICIPANT_REGISTERED, document)
    # One insert for the registrations this process writes at the same moment.
    stored = together.write(("participants", id(runtime)), [(document, [event])],
                            lambda batch: _insert_all(runtime, batch))[0]
    if stored is None:
        # The unique indexes decided; the duplicate is looked for only once they refused.
        check_duplicates(runtime, document)
        raise DuplicateKeyError("another officer has her email or service number")
    list_on_pages(runtime, [stored])
    return stored


def _insert_all(runtime: Runtime, written: list[tuple[dict, list]]) -> list[dict | None]:
    """Insert profiles with their events; each as stored, or None if a unique key refused it."""
    stored, refused = runtime.insert_each(COLLECTION, written)
    return [None if n in refused else document for n, document in enumerate(stored)]


def _agency_stream(agency: str) -> str:
    return f"agency:{profile_rules.agency_key(agency)}"


def list_on_pages(runtime: Runtime, participants: list[dict], everyone: bool = True) -> None:
    """Number them on the pages of their agencies (and of everyone): one insert for all the
    requests of this process that list officers at the same time, the host's processes taking
    turns (`host_numbered.append_each`)."""
    host_numbered.append_each(runtime, PAGES, [
        (stream, {"participant_id": p["_id"]}) for p in participants
        for stream in (("all",) if everyone else ()) + (_agency_stream(p.get("agency") or ""),)])


def _profiles_changed(runtime: Runtime) -> None:
    listed_profiles.changed(runtime.db[PAGES])


def update(runtime: Runtime, participant_id: str, changes: dict,
           whole_profile_errors=lambda merged: {}) -> dict:
    """Change her profile; publishes `registration.participant.updated` with the change.
    ``whole_profile_errors`` judges the merged profile (stored and changed) before the write."""
    current = enrollable(runtime, participant_id)
    agency = _listed_agency(runtime, changes["agency"]) if "agency" in changes else None
    sets = profile_rules.changed_fields(
        current, changes, agency,
        lambda new_agency, number: _identity(participant_id, new_agency, number))
    merged = {**current, **sets}
    errors = whole_profile_errors(merged)
    if errors:
        raise InvalidProfileError(errors)
    check_duplicates(runtime, merged, exclude=participant_id)
    event = announcement(runtime, events.PARTICIPANT_UPDATED, merged)
    stored = runtime.update(COLLECTION, {"_id": participant_id, "erased_at": {"$exists": False}},
                            {"$set": {**sets, "updated_at": datetime.now(UTC)}}, [event])
    if stored is None:
        raise ErasedParticipantError(participant_id)
    _profiles_changed(runtime)
    if stored["agency"] != current["agency"]:
        list_on_pages(runtime, [stored], everyone=False)
    if is_erased(runtime, participant_id):
        # An erasure landed while this change was written, and the write may have brought her
        # fields back. Erasure wins: scrub again, and tell the caller.
        scrub(runtime, participant_id)
        raise ErasedParticipantError(participant_id)
    return stored


def is_erased(runtime: Runtime, participant_id: str) -> bool:
    return claims.holder(runtime.db[ERASED], participant_id) is not None


def tombstone(runtime: Runtime, participant_id: str) -> None:
    """Record, for good and before anything is scrubbed, that she was erased."""
    claims.claim(runtime.db[ERASED], participant_id, at=datetime.now(UTC))


def scrub(runtime: Runtime, participant_id: str) -> dict | None:
    """Remove her personal fields, keep gender and agency, announce `participant.erased`
    (again, if a racing write needed a second scrub: consumers scrub idempotently)."""
    event = runtime.event(events.PARTICIPANT_ERASED, participant_id,
                          events.ParticipantErased().dump({"participant_id": participant_id}))
    scrubbed = runtime.update(COLLECTION, {"_id": participant_id}, {
        "$unset": {name: "" for name in PERSONAL},
        "$set": {"erased_at": datetime.now(UTC), "email_key": f"erased:{participant_id}",
                 "service_number_key": f"none:{participant_id}",
                 "has_service_number": False}}, [event])
    _profiles_changed(runtime)  # no page shows her personal fields from memory any more
    return scrubbed


def get(runtime: Runtime, participant_id: str) -> dict | None:
    return by_id.get(runtime.db[COLLECTION], participant_id, {"outbox": 0})


def found(runtime: Runtime, participant_id: str) -> dict:
    """Her profile as stored (erased or not); UnknownParticipantError if there is none."""
    document = get(runtime, participant_id)
    if document is None:
        raise UnknownParticipantError(participant_id)
    return document


def enrollable(runtime: Runtime, participant_id: str) -> dict:
    """The participant, if she exists and was not erased."""
    document = found(runtime, participant_id)
    if document.get("erased_at") or is_erased(runtime, participant_id):
        raise ErasedParticipantError(participant_id)
    return document


def contact(runtime: Runtime, participant_id: str) -> dict:
    """Her profile, for her contact details: once she was erased, they are gone for good."""
    try:
        return enrollable(runtime, participant_id)
    except ErasedParticipantError as exc:
        raise ErasedContactError(participant_id) from exc


def named(runtime: Runtime, participant_id: str, field: str = "participant_id") -> dict:
    """The participant a request names in ``field``: 422 naming it when there is none."""
    try:
        return enrollable(runtime, participant_id)
    except UnknownParticipantError as exc:
        raise InvalidFieldError(field, str(exc)) from exc


def listing(runtime: Runtime, agency: str | None, skip: int, limit: int):
    """One page of officers in registration order (of one agency, when given), and the total.

    An officer whose agency changed is listed under the new one after those registered before
    the change, and still counted (not shown) on the old one's pages.
    """
    stream = _agency_stream(agency) if agency else "all"
    pages = runtime.db[PAGES]
    listed = listed_pages.page(pages, stream, skip, limit)
    found = listed_profiles.each(runtime.db[COLLECTION], pages,
                                 [e["participant_id"] for e in listed], {"outbox": 0})
    if agency:
        found = [p for p in found if profile_rules.agency_key(p["agency"]) ==
                 profile_rules.agency_key(agency)]
    return found, host_numbered.length(runtime, PAGES, stream)


def ensure_indexes(runtime: Runtime) -> None:
    collection = runtime.db[COLLECTION]
    if not by_id.get(runtime.db[PAGES], "identities-placeholded"):
        # Profiles stored before the service number existed get their placeholder first (a
        # read of every profile: once, not at every start of a process).
        for old in collection.find({"service_number_key": {"$exists": False}}, {"_id": 1}):
            by_id.set_fields(collection, old["_id"], _identity(old["_id"], "", None))
        claims.claim(runtime.db[PAGES], "identities-placeholded", at=datetime.now(UTC))
    collection.create_index("email_key", unique=True)
    collection.create_index("service_number_key", unique=True)
    collection.create_index("outbox_pending")
    if claims.claim(runtime.db[PAGES], "listed-before-pages", at=datetime.now(UTC)):
        # Officers registered before the pages existed, listed once (by one process) in order.
        old = list(collection.find({}, {"agency": 1}).sort([("registered_at", ASCENDING),
                                                            ("_id", ASCENDING)]))
        for start in range(0, len(old), 500):
            list_on_pages(runtime, old[start:start + 500])
