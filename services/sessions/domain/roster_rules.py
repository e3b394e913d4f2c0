"""Who counts on a session's roster, and what the indicators read of each officer."""

ACTIVE = "active"


def counted(entries: list[dict], session_id: str) -> list[dict]:
    """One roster entry per officer, her earliest enrollment first: active ones, and ended ones
    whose attendance was taken for this session before they ended."""
    chosen: dict[str, dict] = {}
    for entry in sorted(entries, key=lambda e: e["_id"]):
        counts = entry["status"] == ACTIVE or entry.get("attendance", {}).get(session_id)
        if counts and entry["participant_id"] not in chosen:
            chosen[entry["participant_id"]] = entry
    return list(chosen.values())


def record(entry: dict, session_id: str) -> dict:
    """The indicator record of one roster entry for one session (domain/indicator_rules.py)."""
    days = entry.get("attendance", {}).get(session_id, {})
    given = entry.get("feedback", {}).get(session_id) or {}
    return {"participant_id": entry["participant_id"], "gender": entry.get("gender"),
            "agency": entry.get("agency"),
            "days": {day: mark["status"] for day, mark in days.items()},
            "rating": given.get("rating")}
