"""A session's lifecycle: draft -> scheduled -> in_progress -> completed, or cancelled."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

from services.sessions.domain.errors import IllegalTransitionError, InvalidDetailsError

DRAFT, SCHEDULED, IN_PROGRESS, COMPLETED, CANCELLED = (
    "draft", "scheduled", "in_progress", "completed", "cancelled")
STATUSES = (DRAFT, SCHEDULED, IN_PROGRESS, COMPLETED, CANCELLED)
HELD = (IN_PROGRESS, COMPLETED)  # a session that took place (or is taking place)
PLANNED = (DRAFT, SCHEDULED)

_ZONES: set[str] | None = None


def known_timezone(name: str) -> bool:
    global _ZONES
    if _ZONES is None:
        _ZONES = available_timezones()
    return name in _ZONES


def check_plan(starts_at: datetime, ends_at: datetime, timezone: str,
               capacity: int | None = None) -> None:
    """Refuse times, zone or capacity that can never be right, naming each field."""
    errors: dict[str, list[str]] = {}
    if ends_at <= starts_at:
        errors["ends_at"] = ["must be after starts_at"]
    if not known_timezone(timezone):
        errors["timezone"] = ["unknown IANA timezone, e.g. Asia/Karachi"]
    if capacity is not None and capacity < 0:
        errors["capacity"] = ["must not be negative"]
    if errors:
        raise InvalidDetailsError(errors)


def local_days(starts_at: datetime, ends_at: datetime, timezone: str) -> list[str]:
    """The session's days (YYYY-MM-DD) in its own timezone, first to last."""
    zone = ZoneInfo(timezone)
    first: date = starts_at.astimezone(zone).date()
    last: date = ends_at.astimezone(zone).date()
    return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


def _require(status: str, allowed: tuple[str, ...], action: str) -> None:
    if status not in allowed:
        raise IllegalTransitionError(f"cannot {action} a session that is {status}")


def schedule(status: str) -> str:
    """A draft goes on the calendar."""
    _require(status, (DRAFT,), "schedule")
    return SCHEDULED


def start(status: str) -> str:
    _require(status, (SCHEDULED,), "start")
    return IN_PROGRESS


def complete(status: str, ends_at: datetime, now: datetime) -> str:
    """Only a session under way that has ended can be completed."""
    _require(status, (IN_PROGRESS,), "complete")
    if now < ends_at:
        raise IllegalTransitionError(
            f"cannot complete a session before it ends ({ends_at.isoformat()})")
    return COMPLETED


def cancel(status: str, reason: str) -> str:
    _require(status, (DRAFT, SCHEDULED, IN_PROGRESS), "cancel")
    if not reason.strip():
        raise InvalidDetailsError({"reason": ["a cancellation needs a reason"]})
    return CANCELLED


def change_capacity(status: str, capacity: int) -> int:
    """Seats change only while the session is still being planned."""
    _require(status, PLANNED, "change the capacity of")
    if capacity < 0:
        raise InvalidDetailsError({"capacity": ["must not be negative"]})
    return capacity


def reschedule(session: dict, starts_at: datetime, ends_at: datetime, timezone: str,
               now: datetime) -> dict:
    """The move, keeping the old dates: what a reschedule records and announces."""
    _require(session["status"], PLANNED, "reschedule")
    check_plan(starts_at, ends_at, timezone)
    return {"previous_starts_at": session["starts_at"], "previous_ends_at": session["ends_at"],
            "starts_at": starts_at.astimezone(UTC), "ends_at": ends_at.astimezone(UTC),
            "timezone": timezone,
            "rescheduled_at": now}
