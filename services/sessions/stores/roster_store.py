"""The roster: who is enrolled in which session, projected from registration's events.

One document per enrollment (`_id` = enrollment_id), so a redelivered event rewrites the same
document. It keeps participant_id, gender and agency (what the indicators need), never names,
and feedback per session. Each session (and each series, for enrollments in a whole series) has
one roster document in `session_rosters` (`_id` = `session:<id>` / `series:<id>`) listing its
enrollments, so a roster is a read by `_id` whatever the number of enrollments stored. Only the
worker writes them. Attendance is in the attendance log (attendance_log_store.py).
"""

from datetime import UTC, datetime

from common.envelope import Event
from common.persistence import by_id, claims, projection
from common.runtime import Runtime
from services.sessions.domain import roster_rules
from services.sessions.domain.lifecycle_rules import local_days
from services.sessions.domain.roster_rules import ACTIVE
from services.sessions.stores import attendance_log_store, documents

COLLECTION = "roster"
ROSTERS = "session_rosters"
ERASED = "erased_participants"
UNSTATED = {"gender": "not_stated", "agency": "not_stated"}  # still counted, in their own cell
SHOWN = ("participant_id", "gender", "agency", "status")


def _roster_id(session_id: str | None, series_id: str | None) -> str:
    return f"session:{session_id}" if session_id else f"series:{series_id}"


def list_on_roster(runtime: Runtime, document: dict) -> None:
    """Show an enrollment, as it now stands, on its session's (or series') roster."""
    projection.upsert(runtime.db[ROSTERS], _roster_id(document.get("session_id"),
                                                      document.get("series_id")),
                      {f"entries.{document['_id']}": {k: document.get(k) for k in SHOWN}})


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
    list_on_roster(runtime, {"_id": payload["enrollment_id"], **entry, "status": ACTIVE})


def end(runtime: Runtime, event: Event, payload: dict, status: str) -> None:
    """Withdrawn or cancelled: off the roster; attendance already taken stays for the figures."""
    collection = runtime.db[COLLECTION]
    collection.update_one(
        {"_id": payload["enrollment_id"]},
        {"$set": {"status": status, "updated_at": datetime.now(UTC), "source_event_id": event.id},
         "$setOnInsert": {k: payload[k] for k in ("participant_id", "session_id", "series_id")}},
        upsert=True)
    list_on_roster(runtime, by_id.get(collection, payload["enrollment_id"], documents.HIDDEN))


def erase(runtime: Runtime, participant_id: str) -> None:
    """Unlink an erased officer: a fresh random id replaces theirs, comments are dropped.

    Counts stay right for the donors (gender and agency are kept, pseudonymous and unlinkable),
    and the tombstone stops a late enrollment event from bringing the id back.
    """
    claims.claim(runtime.db[ERASED], participant_id, erased_at=datetime.now(UTC))
    collection = runtime.db[COLLECTION]
    pseudonym = f"erased-{documents.new_id()}"
    # A rare event: finding her enrollments by a field is acceptable here.
    for document in list(collection.find({"participant_id": participant_id}, documents.HIDDEN)):
        comments = {f"feedback.{sid}.comments": "" for sid in document.get("feedback", {})}
        change = {"$set": {"participant_id": pseudonym}}
        if comments:
            change["$unset"] = comments
        collection.update_one({"_id": document["_id"]}, change)
        list_on_roster(runtime, {**document, "participant_id": pseudonym})


def entries(runtime: Runtime, session: dict, whole: bool = True) -> list[dict]:
    """One roster entry per officer of a session: enrolled in it or in its whole series, with
    her marks for this session in `attendance`.

    ``whole``: the full documents (feedback too); otherwise what the roster shows, read from the
    session's roster documents alone (plus ended enrollments, to see whether they count).
    """
    listed: dict[str, dict] = {}
    keys = [_roster_id(session["_id"], None)]
    if session.get("series_id"):
        keys.append(_roster_id(None, session["series_id"]))
    for roster in by_id.get_each(runtime.db[ROSTERS], keys):
        listed.update(roster.get("entries", {}))
    ended: list[str] = []
    if whole:
        found = by_id.get_each(runtime.db[COLLECTION], sorted(listed), documents.HIDDEN)
    else:
        ended = [eid for eid, shown in listed.items() if shown["status"] != ACTIVE]
        found = by_id.get_each(runtime.db[COLLECTION], ended, documents.HIDDEN) + [
            {"_id": eid, **shown} for eid, shown in listed.items() if shown["status"] == ACTIVE]
    if whole or ended:
        _with_marks(runtime, session, found)
    return roster_rules.counted(found, session["_id"])


def _with_marks(runtime: Runtime, session: dict, found: list[dict]) -> None:
    """Put each entry's marks for ``session`` from the attendance log in its `attendance`."""
    days = local_days(session["starts_at"], session["ends_at"], session["timezone"])
    marks = attendance_log_store.session_marks(runtime, session["_id"], days)
    for entry in found:
        if entry["_id"] in marks:
            recorded = entry.setdefault("attendance", {}).setdefault(session["_id"], {})
            recorded.update(marks[entry["_id"]])


def active(runtime: Runtime, session: dict) -> dict[str, dict]:
    """Officers on the roster now, by participant id (what the roster shows of each)."""
    return {e["participant_id"]: e for e in entries(runtime, session, whole=False)
            if e["status"] == ACTIVE}


def erased(runtime: Runtime, participant_id: str) -> bool:
    """Whether the officer was erased: her tombstone keeps late events from bringing her back."""
    return claims.holder(runtime.db[ERASED], participant_id) is not None
