"""Templates per notification kind and language (falling back to English), in local time."""

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, TemplateNotFound, select_autoescape

TEMPLATES_DIR = Path(__file__).parent / "templates"
FALLBACK = "en"
# The templates ship with the code: never checked for changes (each render would stat its
# files four times, `language_for` and the three parts).
_ENV = Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=select_autoescape(["html"]),
                   trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                   auto_reload=False)

_MONTHS_UR = ("جنوری", "فروری", "مارچ", "اپریل", "مئی", "جون", "جولائی", "اگست", "ستمبر",
              "اکتوبر", "نومبر", "دسمبر")
_DAYS_UR = ("پیر", "منگل", "بدھ", "جمعرات", "جمعہ", "ہفتہ", "اتوار")


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    language: str


def local_time(moment: datetime | None, timezone: str, language: str = FALLBACK) -> str:
    """`Thursday 25 March 2021, 09:00 (Asia/Karachi)` in the session's own timezone."""
    if moment is None:
        return ""
    local = moment.astimezone(ZoneInfo(timezone))
    if language == "ur":
        return (f"{_DAYS_UR[local.weekday()]} {local.day} {_MONTHS_UR[local.month - 1]} "
                f"{local.year}، {local:%H:%M} ({timezone})")
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M} ({timezone})"


def language_for(template: str, language: str) -> str:
    """The recipient's language if this kind has a template in it, else English."""
    try:
        _ENV.get_template(f"{language}/{template}.txt")
        return language
    except TemplateNotFound:
        return FALLBACK


def render(template: str, language: str, context: dict) -> Rendered:
    """Subject, plain text and HTML (autoescaped) of one kind in one language."""
    used = language_for(template, language)
    parts = [_ENV.get_template(f"{used}/{template}{suffix}").render(**context, language=used)
             for suffix in (".subject.txt", ".txt", ".html")]
    return Rendered(" ".join(parts[0].split()), parts[1], parts[2], used)


def session_context(session: dict | None, language: str, extra: dict) -> dict:
    """What templates may say about a session, its times already in its own timezone."""
    if not session:
        return {}
    timezone = session.get("timezone") or "UTC"
    place = ", ".join(p for p in (session.get("venue"), session.get("city"),
                                  session.get("country")) if p)
    return {"title": session.get("title"), "timezone": timezone, "place": place,
            "status": session.get("status"),
            "starts": local_time(session.get("starts_at"), timezone, language),
            "ends": local_time(session.get("ends_at"), timezone, language),
            "previous_starts": local_time(_when(extra.get("previous_starts_at")), timezone,
                                          language),
            "previous_ends": local_time(_when(extra.get("previous_ends_at")), timezone,
                                        language)}


def _when(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def context_for(notification: dict, recipient: dict, session: dict | None) -> dict:
    language = recipient.get("language") or FALLBACK
    extra = notification.get("context") or {}
    return {"recipient": {"given_name": recipient.get("given_name") or "",
                          "family_name": recipient.get("family_name") or "",
                          "role": recipient.get("role")},
            "session": session_context(session, language, extra), **extra}
