"""The donor's report: a programme (or one series) in figures, charts and words.

Built from the same indicators as the JSON and CSV, with the same small-cell suppression
(`min_cell`), and a footnote naming every figure it hid.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from common.runtime import Runtime
from services.sessions import charts
from services.sessions.domain import indicator_rules, series_rules
from services.sessions.domain.lifecycle_rules import CANCELLED, HELD
from services.sessions.stores import (
    certificate_store,
    feedback_store,
    indicator_store,
    programme_store,
    series_store,
    session_store,
)

GENDER_WORDS = {"female": "women", "male": "men", "other": "other", "not_stated": "not stated"}


def _dates(session: dict) -> str:
    """`25-26 March 2021` in the session's own timezone."""
    zone = ZoneInfo(session["timezone"])
    first, last = (session[k].astimezone(zone) for k in ("starts_at", "ends_at"))
    if first.date() == last.date():
        return f"{first.day} {first:%B %Y}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}-{last.day} {last:%B %Y}"
    return f"{first.day} {first:%B %Y} - {last.day} {last:%B %Y}"


def _place(session: dict) -> str:
    return ", ".join(p for p in (session.get(k) for k in ("venue", "city", "country")) if p)


def _hidden(before: dict, after: dict) -> list[str]:
    """The figures suppression hid, by name."""
    shown = dict(indicator_rules.flatten(after))
    return [name for name, value in indicator_rules.flatten(before)
            if value is not None and shown.get(name, value) is None]


def _shares(group: dict) -> list[dict]:
    """Rows of (label, count, share) for gender then agency; a hidden count hides its share."""
    total = group["total"]
    rows = []
    for kind, counts in (("gender", group["by_gender"]), ("agency", group["by_agency"])):
        for name, count in counts.items():
            label = GENDER_WORDS.get(name, name) if kind == "gender" else name
            share = None if count is None or not total else round(100 * count / total)
            rows.append({"kind": kind, "label": label, "count": count, "share": share})
    return rows


class Suppressor:
    """Applies `min_cell` and remembers what it hid, for the footnote."""

    def __init__(self, k: int):
        self.k, self.hidden = k, []

    def __call__(self, where: str, figures: dict) -> dict:
        after = indicator_rules.suppress(figures, self.k)
        self.hidden += [f"{where}: {name}" for name in _hidden(figures, after)]
        return after


def _session_part(runtime: Runtime, session: dict, suppress: Suppressor, label: str) -> dict:
    part = {"title": session["title"], "dates": _dates(session), "place": _place(session),
            "status": session["status"], "label": label, "held": session["status"] in HELD}
    if not part["held"]:
        return part
    figures = suppress(session["title"], indicator_store.for_session(runtime, session["_id"]))
    part.update(figures=figures, participation=_shares(figures["attended"]),
                quotes=feedback_store.quotable(runtime, session["_id"]),
                attendance_chart=charts.rates(
                    "Attendance by day", [d["day"] for d in figures["attendance_by_day"]],
                    [d["rate"] for d in figures["attendance_by_day"]]))
    return part


def _series_part(runtime: Runtime, series_id: str, suppress: Suppressor,
                 origin: dict | None = None) -> dict:
    overview = series_store.get(runtime, series_id)
    members = series_rules.ordered(series_store.sessions_of(runtime, series_id))
    planned = overview["planned_sessions"]
    parts = [_session_part(runtime, s, suppress, series_rules.position_label(n, planned))
             for n, s in enumerate(members, start=1)]
    figures = suppress(overview["title"], indicator_store.for_series(runtime, series_id))
    upcoming = series_rules.next_planned(members)
    return {"title": overview["title"], "planned": planned, "sessions": parts,
            "held": sum(p["held"] for p in parts), "retention": figures,
            "retention_chart": charts.rates(
                "Attendance through the series",
                [p["label"] for p in parts if p["held"]],
                [p["figures"]["attendance_rate"] for p in parts if p["held"]]),
            "certificates": _certificates(runtime, series_id),
            "next": upcoming and {"title": upcoming["title"], "dates": _dates(upcoming),
                                  "place": _place(upcoming)},
            "origin": origin}


def _certificates(runtime: Runtime, course_id: str) -> int:
    return sum(c["status"] == certificate_store.ISSUED
               for c in certificate_store.listing(runtime, course_id))


def for_programme(runtime: Runtime, programme_id: str, min_cell: int) -> dict:
    programme = programme_store.get(runtime, programme_id)
    suppress = Suppressor(min_cell)
    figures = suppress(programme["name"], indicator_store.for_programme(runtime, programme_id))
    every = [s for s in session_store.of_programme(runtime, programme_id)
             if s["status"] != CANCELLED]
    alone = sorted((s for s in every if not s.get("series_id")), key=lambda s: s["starts_at"])
    workshops = [{**_session_part(runtime, s, suppress, "held alone"),
                  "certificates": _certificates(runtime, s["_id"])} for s in alone]
    found, _ = series_store.listing(runtime, programme_id, 0, 100)
    return _report(programme, figures, workshops,
                   [_series_part(runtime, s["_id"], suppress) for s in found], suppress)


def for_series(runtime: Runtime, series_id: str, min_cell: int) -> dict:
    parent = series_store.get(runtime, series_id)
    programme = programme_store.get(runtime, parent["programme_id"])
    suppress = Suppressor(min_cell)
    part = _series_part(runtime, series_id, suppress)
    figures = part["retention"]["cohort"]
    return _report(programme, {"attended": figures}, [], [part], suppress, scope=parent["title"])


def _report(programme: dict, figures: dict, workshops: list, series_parts: list,
            suppress: Suppressor, scope: str | None = None) -> dict:
    participation = _shares(figures["attended"])
    return {"programme": programme, "scope": scope, "figures": figures,
            "participation": participation, "workshops": workshops, "series": series_parts,
            "participation_chart": charts.bars(
                "Participants by agency",
                [r["label"] for r in participation if r["kind"] == "agency"],
                [r["count"] for r in participation if r["kind"] == "agency"]),
            "min_cell": suppress.k, "suppressed": suppress.hidden,
            "generated_at": datetime.now(ZoneInfo("UTC")).strftime("%d %B %Y %H:%M UTC")}
