"""Feedback: one per participant per session (a new one replaces it); quotable comments."""

from datetime import UTC, datetime

from common.runtime import Runtime
from services.sessions import events
from services.sessions.domain import attendance_rules, feedback_rules
from services.sessions.domain.errors import IllegalTransitionError
from services.sessions.stores import roster_store, session_store


def submit(runtime: Runtime, session_id: str, participant_id: str, given: dict) -> dict:
    """Store a participant's feedback with `sessions.feedback.submitted` (rating only)."""
    session = session_store.get(runtime, session_id)
    feedback_rules.check_open(session)
    entries = {e["participant_id"]: e
               for e in roster_store.entries(runtime, session, whole=False)}
    attendance_rules.check_rostered([participant_id], set(entries))
    stored = {**given, "submitted_at": datetime.now(UTC)}
    event = runtime.event(events.FEEDBACK_SUBMITTED, session_id, events.FeedbackSubmitted().dump(
        {"session_id": session_id, "series_id": session.get("series_id"),
         "rating": given["rating"]}))
    written = runtime.update(roster_store.COLLECTION, {"_id": entries[participant_id]["_id"]},
                             {"$set": {f"feedback.{session_id}": stored}}, [event])
    if written is None:
        raise IllegalTransitionError(f"{participant_id} left the roster meanwhile")
    return {"participant_id": participant_id, **stored}


def quotable(runtime: Runtime, session_id: str) -> list[str]:
    """Comments that may be quoted anonymously: the text alone, never who wrote it."""
    session = session_store.get(runtime, session_id)
    given = [e.get("feedback", {}).get(session_id) or {}
             for e in roster_store.entries(runtime, session)]
    return feedback_rules.quotable(given)
