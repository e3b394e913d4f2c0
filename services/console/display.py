"""Pure helpers for pages: local times, form dates, days of a session, chart bars."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIMEZONE = "Asia/Karachi"


class FormError(ValueError):
    """A form field is missing or malformed; the message names the field."""


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def local(value: str | None, timezone: str | None) -> str:
    """'Thu 25 Mar 2021 09:00 (Asia/Karachi, UTC+05:00)' for an RFC 3339 time."""
    when = moment(value)
    if when is None:
        return ""
    shown = when.astimezone(_zone(timezone))
    offset = shown.strftime("%z")
    return f"{shown:%a %d %b %Y %H:%M} ({timezone or DEFAULT_TIMEZONE}, " \
           f"UTC{offset[:3]}:{offset[3:]})"


def local_input(value: str | None, timezone: str | None) -> str:
    """The value of a datetime-local input, in the session's own timezone."""
    when = moment(value)
    return when.astimezone(_zone(timezone)).strftime("%Y-%m-%dT%H:%M") if when else ""


def from_form(field: str, value: str | None, timezone: str) -> str:
    """An RFC 3339 time from a datetime-local input read in ``timezone``."""
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise FormError(f"timezone: {timezone!r} is not an IANA timezone") from exc
    try:
        naive = datetime.fromisoformat((value or "").strip())
    except ValueError as exc:
        raise FormError(f"{field}: give a date and time, e.g. 2021-03-25T09:00") from exc
    return naive.replace(tzinfo=ZoneInfo(timezone)).isoformat()


def days(starts_at: str, ends_at: str, timezone: str) -> list[str]:
    """The local calendar days a session covers (YYYY-MM-DD), as attendance is recorded."""
    zone = _zone(timezone)
    first, last = moment(starts_at).astimezone(zone).date(), moment(ends_at).astimezone(zone).date()
    count = (last - first).days + 1
    return [(first + timedelta(days=n)).isoformat() for n in range(max(count, 0))]


def today_in(timezone: str) -> str:
    return datetime.now(_zone(timezone)).date().isoformat()


def valid_day(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def bars(counts: dict, width: int = 300) -> list[dict]:
    """One bar per label, scaled to the largest count; hidden (suppressed) counts stay None."""
    known = [n for n in counts.values() if isinstance(n, int | float)]
    top = max(known, default=0) or 1
    return [{"label": label, "value": n,
             "width": 0 if n is None else round(width * n / top)}
            for label, n in counts.items()]


def percent(rate: float | None) -> str:
    return "hidden" if rate is None else f"{round(rate * 100)}%"
