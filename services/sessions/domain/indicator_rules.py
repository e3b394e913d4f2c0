"""The donors' indicators as arithmetic over plain records; no database, no HTTP.

A participant record is ``{"participant_id", "gender", "agency", "days": {day: status},
"rating": int | None}`` for one session. "Attended" means present or late on at least one day.
"""

from collections import Counter
from collections.abc import Iterable

ATTENDED = ("present", "late")
WOMEN = "female"


def attended(record: dict) -> bool:
    return any(status in ATTENDED for status in record.get("days", {}).values())


def breakdown(records: Iterable[dict]) -> dict:
    """Head count, by gender and by agency, and the shares donors quote (in percent)."""
    records = list(records)
    total = len(records)
    by_gender = dict(sorted(Counter(r["gender"] for r in records).items()))
    by_agency = dict(sorted(Counter(r["agency"] for r in records).items()))
    return {"total": total, "by_gender": by_gender, "by_agency": by_agency,
            "percent_women": percent(by_gender.get(WOMEN, 0), total),
            "percent_by_agency": {a: percent(n, total) for a, n in by_agency.items()}}


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def feedback(ratings: Iterable[int | None]) -> dict:
    given = [r for r in ratings if r is not None]
    return {"count": len(given),
            "average_rating": round(sum(given) / len(given), 2) if given else None}


def session_indicators(records: list[dict], days: list[str]) -> dict:
    """Enrolled and attended (by gender and agency), attendance per day, feedback."""
    by_day = []
    for day in days:
        present = sum(1 for r in records if r.get("days", {}).get(day) in ATTENDED)
        by_day.append({"day": day, "rostered": len(records), "attended": present,
                       "rate": rate(present, len(records))})
    person_days = sum(d["attended"] for d in by_day)
    return {"enrolled": breakdown(records),
            "attended": breakdown(r for r in records if attended(r)),
            "days": len(days),
            "attendance_by_day": by_day,
            "attendance_rate": rate(person_days, len(records) * len(days)),
            "feedback": feedback(r.get("rating") for r in records)}


def retention(held: list[list[dict]]) -> dict:
    """Who attended every session held so far, out of the cohort rostered on the first one."""
    if not held:
        return {"sessions_held": 0, "cohort": breakdown([]), "retained": breakdown([]),
                "rate": None}
    cohort = {r["participant_id"]: r for r in held[0]}
    attendees = [{r["participant_id"] for r in session if attended(r)} for session in held]
    retained = [r for pid, r in cohort.items() if all(pid in seen for seen in attendees)]
    return {"sessions_held": len(held), "cohort": breakdown(cohort.values()),
            "retained": breakdown(retained), "rate": rate(len(retained), len(cohort))}


def distinct_participants(sessions: list[list[dict]]) -> list[dict]:
    """One record per participant across sessions, attended if they attended any."""
    merged: dict[str, dict] = {}
    for session in sessions:
        for record in session:
            seen = merged.setdefault(record["participant_id"], {**record, "days": {}})
            if attended(record):
                seen["days"] = {"any": "present"}
    return list(merged.values())


def programme_indicators(sessions: list[list[dict]], held: int) -> dict:
    """Distinct participants enrolled and attended across a programme's sessions."""
    people = distinct_participants(sessions)
    return {"sessions": len(sessions), "sessions_held": held,
            "enrolled": breakdown(people),
            "attended": breakdown(p for p in people if attended(p)),
            "feedback": feedback(r.get("rating") for s in sessions for r in s)}


COUNT_GROUPS = ("enrolled", "attended", "cohort", "retained")


def suppress(indicators: dict, k: int) -> dict:
    """Hide every count smaller than ``k`` (but not zero) and the figures derived from it.

    A breakdown with a hidden count hides all its shares: the shares add up to 100 %, so any of
    them would give the hidden one back. Complementary suppression of counts (hiding a second
    cell so the first cannot be recomputed from a total) is not attempted; publish totals with care.
    """
    if k <= 1:
        return indicators
    hidden = {**indicators}

    def cell(n):
        return None if n is not None and 0 < n < k else n

    for name in COUNT_GROUPS:
        if name in hidden:
            hidden[name] = _suppress_breakdown(hidden[name], cell)
    if "attendance_by_day" in hidden:
        days = []
        for day in hidden["attendance_by_day"]:
            shown = {**day, "rostered": cell(day["rostered"]), "attended": cell(day["attended"])}
            if shown["rostered"] is None or shown["attended"] is None:
                shown["rate"] = None
            days.append(shown)
        hidden["attendance_by_day"] = days
    if "feedback" in hidden and cell(hidden["feedback"]["count"]) is None:
        hidden["feedback"] = {"count": None, "average_rating": None}
    if isinstance(hidden.get("sessions"), list):
        hidden["sessions"] = [
            {**s, "enrolled": cell(s["enrolled"]),
             "attendance_rate": None if cell(s["enrolled"]) is None else s["attendance_rate"]}
            for s in hidden["sessions"]]
    if "retained" in hidden and hidden["retained"]["total"] is None:
        hidden["rate"] = None
    hidden["min_cell"] = k
    return hidden


def _suppress_breakdown(group: dict, cell) -> dict:
    by_gender = {g: cell(n) for g, n in group["by_gender"].items()}
    by_agency = {a: cell(n) for a, n in group["by_agency"].items()}
    total = cell(group["total"])
    genders_whole = total is not None and None not in by_gender.values()
    agencies_whole = total is not None and None not in by_agency.values()
    return {"total": total, "by_gender": by_gender, "by_agency": by_agency,
            "percent_women": group.get("percent_women") if genders_whole else None,
            "percent_by_agency": {a: share if agencies_whole else None
                                  for a, share in group.get("percent_by_agency", {}).items()}}


def flatten(indicators: dict, prefix: str = "") -> list[tuple[str, object]]:
    """(indicator, value) rows for CSV, e.g. ("enrolled.by_agency.Punjab Police", 6)."""
    rows: list[tuple[str, object]] = []
    for key, value in indicators.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            rows.extend(flatten(value, f"{name}."))
        elif isinstance(value, list):
            for item in value:
                label = item.get("day") or item.get("session_id") or str(len(rows))
                rows.extend(flatten({k: v for k, v in item.items()
                                     if k not in ("day", "session_id")}, f"{name}.{label}."))
        else:
            rows.append((name, value))
    return rows
