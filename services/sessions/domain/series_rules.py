"""A series: an ordered group of sessions; positions ("1 of 3") and the next planned one."""

from services.sessions.domain.lifecycle_rules import CANCELLED, PLANNED


def ordered(sessions: list[dict]) -> list[dict]:
    """The series' sessions that count, earliest first (cancelled ones leave the order)."""
    return sorted((s for s in sessions if s["status"] != CANCELLED),
                  key=lambda s: (s["starts_at"], s["_id"]))


def position(session_id: str, sessions: list[dict]) -> int | None:
    """1-based place of a session in its series, or None if it does not count."""
    for index, session in enumerate(ordered(sessions), start=1):
        if session["_id"] == session_id:
            return index
    return None


def position_label(position_: int | None, planned: int | None) -> str | None:
    if position_ is None:
        return None
    return f"{position_} of {max(planned or 0, position_)}"


def next_planned(sessions: list[dict], after: dict | None = None) -> dict | None:
    """The next session still to be held: after ``after`` if given, else the first planned."""
    for session in ordered(sessions):
        if after is not None:
            if (session["starts_at"], session["_id"]) > (after["starts_at"], after["_id"]):
                return session
        elif session["status"] in PLANNED:
            return session
    return None
