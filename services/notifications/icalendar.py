"""RFC 5545 calendar invitations, written by hand: CRLF line endings, lines folded at 75 octets."""

import re
from datetime import UTC, datetime

UID_DOMAIN = "sessions.glo-act.example"


# RFC 5545 3.3.11: TEXT holds no control character but HTAB; a line break is written `\n`.
_BREAK = re.compile(r"\r\n|\r|\n")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def _escape(text: str) -> str:
    """A TEXT value: backslash, semicolon and comma escaped; CRLF, a lone CR and a lone LF each
    one `\\n` (a lone CR would end the line for some clients and start a property of ours)."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return _CONTROL.sub("", _BREAK.sub(r"\\n", text))


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def fold(line: str) -> str:
    """Fold a content line into chunks of at most 75 octets, never splitting a character."""
    pieces, current, limit = [], b"", 75
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > limit:
            pieces.append(current.decode())
            current, limit = b"", 74  # continuation lines begin with one space
        current += encoded
    pieces.append(current.decode())
    return "\r\n ".join(pieces)


def session_event(session: dict, method: str, sequence: int, organizer: str,
                  stamp: datetime) -> str:
    """A VCALENDAR with one VEVENT for the session; the UID is stable, SEQUENCE says which
    version this is, METHOD is REQUEST (add or update) or CANCEL."""
    place = ", ".join(p for p in (session.get("venue"), session.get("city"),
                                  session.get("country")) if p)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//GLO.ACT//Notifications//EN",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        "BEGIN:VEVENT",
        f"UID:{session['_id']}@{UID_DOMAIN}",
        f"DTSTAMP:{_utc(stamp)}",
        f"DTSTART:{_utc(session['starts_at'])}",
        f"DTEND:{_utc(session['ends_at'])}",
        f"SEQUENCE:{sequence}",
        f"SUMMARY:{_escape(session.get('title') or 'Session')}",
        f"LOCATION:{_escape(place)}",
        f"ORGANIZER:mailto:{organizer}",
        f"STATUS:{'CANCELLED' if method == 'CANCEL' else 'CONFIRMED'}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(fold(line) + "\r\n" for line in lines)


def unfold(text: str) -> list[str]:
    """Content lines of a calendar (what a calendar client reads), for checking what we wrote."""
    return text.replace("\r\n ", "").split("\r\n")[:-1]
