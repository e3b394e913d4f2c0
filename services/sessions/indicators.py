"""Indicators for a session, a series and a programme.

Computed in Python from the roster projection rather than by aggregation pipelines: FerretDB
1.24 lacks `$lookup`, `$facet` and most expression operators, and a programme has hundreds of
participants at most, so reading its roster documents is cheap and keeps the arithmetic in
plain, unit-tested functions (domain/indicators.py).
"""

from datetime import datetime

from common.runtime import Runtime
from services.sessions import programmes, roster, series, sessions, store
from services.sessions.domain import indicators as arithmetic
from services.sessions.domain import series as series_rules
from services.sessions.domain.lifecycle import CANCELLED, HELD, local_days


def _records(runtime: Runtime, session: dict) -> list[dict]:
    return [roster.record(e, session["_id"]) for e in roster.entries(runtime, session)]


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def for_session(runtime: Runtime, session_id: str) -> dict:
    """Enrolled and attended by gender and agency, attendance per day, feedback, position."""
    session = sessions.get(runtime, session_id)
    days = local_days(session["starts_at"], session["ends_at"], session["timezone"])
    shown = {"session_id": session_id, "title": session["title"], "status": session["status"],
             "position": None, "planned_sessions": None, "next_session": None,
             **arithmetic.session_indicators(_records(runtime, session), days)}
    if session.get("series_id"):
        parent = series.get(runtime, session["series_id"])
        members = series.sessions_of(runtime, parent["_id"])
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
    parent = series.get(runtime, series_id)
    members = series_rules.ordered(series.sessions_of(runtime, series_id))
    held, summaries = [], []
    for position, session in enumerate(members, start=1):
        records = _records(runtime, session)
        days = local_days(session["starts_at"], session["ends_at"], session["timezone"])
        figures = arithmetic.session_indicators(records, days)
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
            **arithmetic.retention(held)}


def for_programme(runtime: Runtime, programme_id: str) -> dict:
    """Distinct participants enrolled and attended across the programme's sessions."""
    programme = programmes.get(runtime, programme_id)
    members = [s for s in runtime.db[store.SESSIONS].find({"programme_id": programme_id},
                                                          store.HIDDEN)
               if s["status"] != CANCELLED]
    figures = arithmetic.programme_indicators(
        [_records(runtime, s) for s in members], held=sum(s["status"] in HELD for s in members))
    return {"programme_id": programme_id, "name": programme["name"], **figures}
