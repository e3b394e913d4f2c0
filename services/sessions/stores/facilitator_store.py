"""Facilitators: the people who lead sessions, and their assignment to a session with a role."""

from datetime import UTC, datetime

from common.runtime import Runtime
from services.sessions import events
from services.sessions.domain import lifecycle_rules
from services.sessions.domain.errors import IllegalTransitionError
from services.sessions.stores import documents, session_calendar_store

COLLECTION = "facilitators"
OPEN = (lifecycle_rules.DRAFT, lifecycle_rules.SCHEDULED, lifecycle_rules.IN_PROGRESS)


def create(runtime: Runtime, details: dict) -> dict:
    document = {"_id": documents.new_id(), **details, "created_at": datetime.now(UTC)}
    runtime.db[COLLECTION].insert_one(document)
    return document


def get(runtime: Runtime, facilitator_id: str) -> dict:
    return documents.must_get(runtime.db[COLLECTION], facilitator_id, "facilitator")


def listing(runtime: Runtime, skip: int, limit: int) -> tuple[list[dict], int]:
    return documents.page(runtime.db[COLLECTION], {}, "family_name", skip, limit)


def assign(runtime: Runtime, session_id: str, facilitator_id: str, role: str) -> dict:
    """Put a facilitator on a session with a role; assigning the same role again changes nothing."""
    session = documents.must_get(runtime.db[documents.SESSIONS], session_id, "session")
    person = get(runtime, facilitator_id)
    current = _assignment(session, facilitator_id)
    if current is not None:
        if current["role"] == role:
            return session
        raise IllegalTransitionError(
            f"facilitator already assigned as {current['role']}; remove the assignment first")
    if session["status"] not in OPEN:
        raise IllegalTransitionError(f"cannot assign to a session that is {session['status']}")
    event = runtime.event(events.FACILITATOR_ASSIGNED, session_id,
                          events.FacilitatorAssigned().dump({
                              "session_id": session_id, "facilitator_id": facilitator_id,
                              "role": role,
                              "preferred_language": person["preferred_language"]}))
    stored = documents.change_session(runtime, session, {
        "$push": {"facilitators": {"facilitator_id": facilitator_id, "role": role}}}, [event])
    session_calendar_store.place(runtime, session, stored)
    return stored


def remove(runtime: Runtime, session_id: str, facilitator_id: str) -> dict:
    """Take a facilitator off a session and announce it."""
    session = documents.must_get(runtime.db[documents.SESSIONS], session_id, "session")
    current = _assignment(session, facilitator_id)
    if current is None:
        raise IllegalTransitionError("this facilitator is not assigned to the session")
    event = runtime.event(events.FACILITATOR_REMOVED, session_id,
                          events.FacilitatorRemoved().dump({
                              "session_id": session_id, "facilitator_id": facilitator_id,
                              "role": current["role"]}))
    # `$pullAll` of the exact entry (see `projection.remove_from`): `$pull` conditions on
    # sub-documents are not honoured everywhere.
    stored = documents.change_session(runtime, session,
                                      {"$pullAll": {"facilitators": [current]}}, [event])
    session_calendar_store.place(runtime, session, stored)
    return stored


def _assignment(session: dict, facilitator_id: str) -> dict | None:
    return next((a for a in session.get("facilitators", [])
                 if a["facilitator_id"] == facilitator_id), None)
