"""Indicators for a session, a series and a programme.

Computed in Python from the roster projection rather than by aggregation pipelines (which
both databases do not share): a programme has hundreds of participants at most, so reading its
roster documents is cheap and keeps the arithmetic in plain, unit-tested functions
(domain/indicator_rules.py).
"""

from datetime import datetime

from common.runtime import Runtime
from services.sessions.domain import indicator_rules, roster_rules, series_rules
from services.sessions.domain.lifecycle_rules import CANCELLED, HELD, local_days
from services.sessions.stores import (
    programme_store,
    roster_store,
    series_store,
    session_store,
)


def _records(runtime: Runtime, session: dict) -> list[dict]:
    return [roster_rules.record(e, session["_id"]) for e in roster_store.entries(runtime, session)]


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def for_session(runtime: Runtime, session_id: str) -> dict:
    """Enrolled and attended by gender and agency, attendance per day, feedback, position."""
    session = session_store.get(runtime, session_id)
    days = local_days(session["starts_at"], session["ends_at"], session["timezone"])
    shown = {"session_id": session_id, "title": session["title"], "status": session["status"],
             "position": None, "planned_sessions": None, "next_session": None,
             **indicator_rules.session_indicators(_records(runtime, session), days)}
    if session.get("series_id"):
        parent = series_store.get(runtime, session["series_id"])
        members = series_store.sessions_of(runtime, parent["_id"])
        upcoming = series_rules.next_planned(members, after=session)
        shown.update(position=series_rules.position(session_id, members),
                     planned_sessions=parent["planned_sessions"],
                     next_session=upcoming and {"session_id": upcoming["_id"],
                                                "title": upcoming["title"],
                                                "starts_at": _when(upcoming["starts_at"]),
                                                "timezone": upcoming["timezone"]})
    return shown


def for_series(runtime: Runtime, series_id: str) -> dict:
    """Retention through the series, and each session's head count and attendance rate."""
    parent = series_store.get(runtime, series_id)
    members = series_rules.ordered(series_store.sessions_of(runtime, series_id))
    held, summaries = [], []
    for position, session in enumerate(members, start=1):
        records = _records(runtime, session)
        days = local_days(session["starts_at"], session["ends_at"], session["timezone"])
        figures = indicator_rules.session_indicators(records, days)
        summaries.append({"session_id": session["_id"], "position": position,
                          "title": session["title"], "status": session["status"],
                          "starts_at": _when(session["starts_at"]),
                          "enrolled": figures["enrolled"]["total"],
                          "attendance_rate": figures["attendance_rate"]})
        if session["status"] in HELD:
            held.append(records)
    upcoming = series_rules.next_planned(members)
    return {"series_id": series_id, "title": parent["title"],
            "planned_sessions": parent["planned_sessions"], "sessions": summaries,
            "next_session_id": upcoming["_id"] if upcoming else None,
            **indicator_rules.retention(held)}


def for_programme(runtime: Runtime, programme_id: str) -> dict:
    """Distinct participants enrolled and attended across the programme's sessions."""
    programme = programme_store.get(runtime, programme_id)
    members = [s for s in session_store.of_programme(runtime, programme_id)
               if s["status"] != CANCELLED]
    figures = indicator_rules.programme_indicators(
        [_records(runtime, s) for s in members], held=sum(s["status"] in HELD for s in members))
    return {"programme_id": programme_id, "name": programme["name"], **figures}
