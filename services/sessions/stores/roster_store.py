"""The roster: who is enrolled in which session, projected from registration's events.

One document per enrollment (`_id` = enrollment_id), so a redelivered event rewrites the same
document. It keeps participant_id, gender and agency (what the indicators need), never names.
Attendance and feedback live in the same document, keyed by session, so recording one is a
single guarded write together with its event.
"""

from datetime import UTC, datetime

from common.envelope import Event
from common.persistence import by_id, claims, projection
from common.runtime import Runtime
from services.sessions.domain import roster_rules
from services.sessions.domain.roster_rules import ACTIVE
from services.sessions.stores import documents

COLLECTION = "roster"
ERASED = "erased_participants"
UNSTATED = {"gender": "not_stated", "agency": "not_stated"}  # still counted, in their own cell


def enroll(runtime: Runtime, event: Event, payload: dict) -> None:
    """Confirmed or promoted: on the roster, unless the enrollment ended or the officer erased."""
    if erased(runtime, payload["participant_id"]):
        return
    entry = {k: payload[k] for k in ("participant_id", "session_id", "series_id")}
    entry.update({k: payload[k] or UNSTATED[k] for k in UNSTATED})
    collection = runtime.db[COLLECTION]
    # Withdrawal and cancellation are final for an enrollment: an ended one is not revived.
    # (One enrollment's events come in order on one partition, so nothing ends it meanwhile.)
    current = by_id.get(collection, payload["enrollment_id"], {"status": 1})
    if current is not None and current.get("status") != ACTIVE:
        return
    projection.upsert(collection, payload["enrollment_id"], {
        **entry, "status": ACTIVE, "updated_at": datetime.now(UTC), "source_event_id": event.id})


def end(runtime: Runtime, event: Event, payload: dict, status: str) -> None:
    """Withdrawn or cancelled: off the roster; attendance already taken stays for the figures."""
    runtime.db[COLLECTION].update_one(
        {"_id": payload["enrollment_id"]},
        {"$set": {"status": status, "updated_at": datetime.now(UTC), "source_event_id": event.id},
         "$setOnInsert": {k: payload[k] for k in ("participant_id", "session_id", "series_id")}},
        upsert=True)


def erase(runtime: Runtime, participant_id: str) -> None:
    """Unlink an erased officer: a fresh random id replaces theirs, comments are dropped.

    Counts stay right for the donors (gender and agency are kept, pseudonymous and unlinkable),
    and the tombstone stops a late enrollment event from bringing the id back.
    """
    claims.claim(runtime.db[ERASED], participant_id, erased_at=datetime.now(UTC))
    collection = runtime.db[COLLECTION]
    for document in collection.find({"participant_id": participant_id}, {"feedback": 1}):
        comments = {f"feedback.{sid}.comments": "" for sid in document.get("feedback", {})}
        if comments:
            collection.update_one({"_id": document["_id"]}, {"$unset": comments})
    collection.update_many({"participant_id": participant_id},
                           {"$set": {"participant_id": f"erased-{documents.new_id()}"}})


def entries(runtime: Runtime, session: dict) -> list[dict]:
    """One roster document per officer of a session: enrolled in it or in its whole series."""
    clauses: list[dict] = [{"session_id": session["_id"]}]
    if session.get("series_id"):
        clauses.append({"session_id": None, "series_id": session["series_id"]})
    found = runtime.db[COLLECTION].find({"$or": clauses}, documents.HIDDEN)
    return roster_rules.counted(list(found), session["_id"])


def active(runtime: Runtime, session: dict) -> dict[str, dict]:
    """Participants on the roster now, by participant id."""
    return {e["participant_id"]: e for e in entries(runtime, session) if e["status"] == ACTIVE}


def still_active(runtime: Runtime, entry_id: str) -> bool:
    found = by_id.get(runtime.db[COLLECTION], entry_id, {"status": 1})
    return found is not None and found["status"] == ACTIVE


def erased(runtime: Runtime, participant_id: str) -> bool:
    """Whether the officer was erased: her tombstone keeps late events from bringing her back."""
    return claims.holder(runtime.db[ERASED], participant_id) is not None
