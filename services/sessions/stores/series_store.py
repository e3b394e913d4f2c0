"""Series: an ordered group of sessions of one programme, e.g. three coaching sessions."""

from datetime import UTC, datetime

from common.persistence import by_id
from common.runtime import Runtime
from services.sessions import events
from services.sessions.domain import series_rules
from services.sessions.stores import documents, programme_store, session_calendar_store

COLLECTION = "series"


def create(runtime: Runtime, details: dict) -> dict:
    """Store a series and `sessions.series.created` in one write."""
    documents.referenced(runtime.db[programme_store.COLLECTION], details["programme_id"],
                         "programme", "programme_id")
    if details.get("origin_session_id"):
        documents.referenced(runtime.db[documents.SESSIONS], details["origin_session_id"],
                             "session", "origin_session_id")
    series_id = documents.new_id()
    eligibility = details.get("eligibility") or {"genders": None, "agencies": None}
    document = {"_id": series_id, **details, "eligibility": eligibility,
                "created_at": datetime.now(UTC)}
    event = runtime.event(events.SERIES_CREATED, series_id, events.SeriesCreated().dump({
        "series_id": series_id, "programme_id": details["programme_id"],
        "title": details["title"], "planned_sessions": details["planned_sessions"],
        "origin_session_id": details.get("origin_session_id"), "eligibility": eligibility}))
    return runtime.insert(COLLECTION, document, [event])


def get(runtime: Runtime, series_id: str) -> dict:
    return documents.must_get(runtime.db[COLLECTION], series_id, "series")


def sessions_of(runtime: Runtime, series_id: str) -> list[dict]:
    found = session_calendar_store.ids(runtime, f"series_id:{series_id}")
    return by_id.get_each(runtime.db[documents.SESSIONS], found, documents.HIDDEN)


def overview(runtime: Runtime, series_id: str) -> dict:
    """The series with its sessions in order and its next planned session."""
    found = get(runtime, series_id)
    members = sessions_of(runtime, series_id)
    upcoming = series_rules.next_planned(members)
    return {**found, "sessions": [
        {"session_id": s["_id"], "title": s["title"], "starts_at": s["starts_at"],
         "status": s["status"], "position": index}
        for index, s in enumerate(series_rules.ordered(members), start=1)],
        "next_session": _brief(upcoming)}


def _brief(session: dict | None) -> dict | None:
    if session is None:
        return None
    return {"session_id": session["_id"], "title": session["title"],
            "starts_at": session["starts_at"], "timezone": session["timezone"]}


def listing(runtime: Runtime, programme_id: str | None, skip: int,
            limit: int) -> tuple[list[dict], int]:
    query = {"programme_id": programme_id} if programme_id else {}
    return documents.page(runtime.db[COLLECTION], query, "created_at", skip, limit)
