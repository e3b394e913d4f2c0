"""The roster: who is enrolled in which session, projected from registration's events.

One document per enrollment (`_id` = enrollment_id), so a redelivered event rewrites the same
document. It keeps participant_id, gender and agency (what the indicators need), never names.
Attendance and feedback live in the same document, keyed by session, so recording one is a
single guarded write together with its event.
"""

from datetime import UTC, datetime

from pymongo.errors import DuplicateKeyError

from common.envelope import Event
from common.runtime import Runtime
from services.sessions import store

COLLECTION = "roster"
ERASED = "erased_participants"
ACTIVE = "active"
UNSTATED = {"gender": "not_stated", "agency": "not_stated"}  # still counted, in their own cell


def enroll(runtime: Runtime, event: Event, payload: dict) -> None:
    """Confirmed or promoted: on the roster, unless the enrollment ended or the officer erased."""
    if runtime.db[ERASED].find_one({"_id": payload["participant_id"]}) is not None:
        return
    entry = {k: payload[k] for k in ("participant_id", "session_id", "series_id")}
    entry.update({k: payload[k] or UNSTATED[k] for k in UNSTATED})
    collection = runtime.db[COLLECTION]
    # Withdrawal and cancellation are final for an enrollment: an ended one is not revived.
    # (One enrollment's events come in order on one partition, so nothing ends it meanwhile;
    # the filter is `_id` alone, the one FerretDB does not answer by decoding the collection.)
    current = collection.find_one({"_id": payload["enrollment_id"]}, {"status": 1})
    if current is not None and current.get("status") != ACTIVE:
        return
    collection.update_one({"_id": payload["enrollment_id"]},
                          {"$set": {**entry, "status": ACTIVE, "updated_at": datetime.now(UTC),
                                    "source_event_id": event.id}}, upsert=True)


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
    try:
        runtime.db[ERASED].insert_one({"_id": participant_id, "erased_at": datetime.now(UTC)})
    except DuplicateKeyError:
        pass
    collection = runtime.db[COLLECTION]
    for document in collection.find({"participant_id": participant_id}, {"feedback": 1}):
        comments = {f"feedback.{sid}.comments": "" for sid in document.get("feedback", {})}
        if comments:
            collection.update_one({"_id": document["_id"]}, {"$unset": comments})
    collection.update_many({"participant_id": participant_id},
                           {"$set": {"participant_id": f"erased-{store.new_id()}"}})


def entries(runtime: Runtime, session: dict) -> list[dict]:
    """One roster document per participant of a session: enrolled in it or in its whole series.

    Ended enrollments count only if attendance was taken for this session before they ended.
    """
    clauses: list[dict] = [{"session_id": session["_id"]}]
    if session.get("series_id"):
        clauses.append({"session_id": None, "series_id": session["series_id"]})
    found = runtime.db[COLLECTION].find({"$or": clauses}, store.HIDDEN).sort("_id", 1)
    chosen: dict[str, dict] = {}
    for document in found:
        counts = document["status"] == ACTIVE or document.get("attendance", {}).get(
            session["_id"])
        if counts and document["participant_id"] not in chosen:
            chosen[document["participant_id"]] = document
    return list(chosen.values())


def active(runtime: Runtime, session: dict) -> dict[str, dict]:
    """Participants on the roster now, by participant id."""
    return {e["participant_id"]: e for e in entries(runtime, session) if e["status"] == ACTIVE}


def still_active(runtime: Runtime, entry_id: str) -> bool:
    found = runtime.db[COLLECTION].find_one({"_id": entry_id}, {"status": 1})
    return found is not None and found["status"] == ACTIVE


def record(document: dict, session_id: str) -> dict:
    """The indicator record of one roster document for one session."""
    days = document.get("attendance", {}).get(session_id, {})
    given = document.get("feedback", {}).get(session_id) or {}
    return {"participant_id": document["participant_id"], "gender": document.get("gender"),
            "agency": document.get("agency"),
            "days": {day: mark["status"] for day, mark in days.items()},
            "rating": given.get("rating")}


def ensure_indexes(runtime: Runtime) -> None:
    collection = runtime.db[COLLECTION]
    collection.create_index("session_id")
    collection.create_index("series_id")
    collection.create_index("participant_id")
    collection.create_index("outbox_pending")
