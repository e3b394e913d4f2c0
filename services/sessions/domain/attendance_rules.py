"""Attendance rules: per rostered participant per day of a session that is being held."""

from services.sessions.domain.errors import IllegalTransitionError, InvalidDetailsError
from services.sessions.domain.lifecycle_rules import HELD, local_days

STATUSES = ("present", "late", "absent", "excused")


def check_day(session: dict, day: str) -> None:
    """Attendance is taken on one of the session's own days, once it is under way."""
    if session["status"] not in HELD:
        raise IllegalTransitionError(
            f"attendance is recorded once a session is in progress; it is {session['status']}")
    days = local_days(session["starts_at"], session["ends_at"], session["timezone"])
    if day not in days:
        raise InvalidDetailsError({"day": [f"must be one of the session's days: {days}"]})


def check_rostered(requested: list[str], rostered: set[str]) -> None:
    """Every participant named must be on the session's roster."""
    missing = sorted(set(requested) - rostered)
    if missing:
        raise InvalidDetailsError({"participant_id": [
            f"not on this session's roster: {', '.join(missing)}"]})


def latest(marks: list[dict]) -> dict[str, str]:
    """Each officer's status as the request gives it, the last mark of hers winning."""
    return {m["participant_id"]: m["status"] for m in marks}


def changes(wanted: dict[str, str], enrollment_of: dict[str, str],
            known: dict[str, dict]) -> dict[str, tuple[str, str]]:
    """What a recording changes: {enrollment id: (participant id, status)} for every officer
    whose status differs from the mark ``known`` for her enrollment (a repeat writes nothing)."""
    return {enrollment_of[pid]: (pid, status) for pid, status in wanted.items()
            if known.get(enrollment_of[pid], {}).get("status") != status}
