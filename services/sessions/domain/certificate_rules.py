"""Certificates of completion: the rule that decides who completed a course, and the code.

A course is a series of sessions, or a session held alone (a workshop). The rule reads the
days of the course's sessions and the days an officer attended; no database, no HTTP.
"""

import secrets
from dataclasses import dataclass

from services.sessions.domain.errors import InvalidDetailsError
from services.sessions.domain.indicator_rules import ATTENDED
from services.sessions.domain.lifecycle_rules import CANCELLED, COMPLETED

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: read aloud or typed from paper without doubt.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 10  # 25**10 ~ 9.5e13: guessing one code at the rate limit takes lifetimes
DEFAULT_RULE = {"min_attendance_share": 0.8, "require_first_days": True}


@dataclass(frozen=True)
class Decision:
    """Whether she completed the course, and the evidence: days attended of days held."""

    completed: bool
    days_attended: int
    days_held: int
    missed_first_days: tuple[str, ...]

    @property
    def evidence(self) -> dict:
        return {"days_attended": self.days_attended, "days_held": self.days_held,
                "missed_first_days": list(self.missed_first_days)}


def rule_of(stored: dict | None) -> dict:
    """The course's rule, the default filled in where it says nothing."""
    return {**DEFAULT_RULE, **(stored or {})}


def check_rule(rule: dict) -> dict:
    share = rule.get("min_attendance_share")
    if not isinstance(share, int | float) or not 0 < share <= 1:
        raise InvalidDetailsError({"min_attendance_share": ["must be above 0 and at most 1"]})
    return rule


def finished(sessions: list[dict]) -> bool:
    """A course is decided once every session that counts is completed (none still planned)."""
    counted = [s for s in sessions if s["status"] != CANCELLED]
    return bool(counted) and all(s["status"] == COMPLETED for s in counted)


def decide(rule: dict, sessions: list[dict], attendance: dict[str, dict[str, str]]) -> Decision:
    """Apply ``rule`` to one officer.

    ``sessions``: the course's sessions as ``{"_id", "status", "days": [YYYY-MM-DD, ...]}``;
    ``attendance``: her marks, ``{session_id: {day: status}}``.
    """
    rule = rule_of(rule)
    held = [s for s in sessions if s["status"] == COMPLETED]
    days_held = sum(len(s["days"]) for s in held)
    attended, missed_first = 0, []
    for session in held:
        marks = attendance.get(session["_id"], {})
        attended += sum(1 for day in session["days"] if marks.get(day) in ATTENDED)
        first = session["days"][0] if session["days"] else None
        if first and marks.get(first) not in ATTENDED:
            missed_first.append(first)
    share_met = days_held > 0 and attended >= rule["min_attendance_share"] * days_held - 1e-9
    first_met = not (rule["require_first_days"] and missed_first)
    return Decision(share_met and first_met, attended, days_held, tuple(missed_first))


def new_code() -> str:
    """A random verification code, e.g. ``K7QD-M3XA-PN``; unrelated to any id."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalise_code(text: str) -> str | None:
    """A code as typed (any case, with or without dashes), or None if it cannot be one."""
    raw = "".join(ch for ch in text.upper() if ch not in "- ")
    if len(raw) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in raw):
        return None
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def initials(given_name: str | None, family_name: str | None) -> str | None:
    """``A. K.``: what public verification may show of a name."""
    letters = [n.strip()[0].upper() + "." for n in (given_name, family_name) if n and n.strip()]
    return " ".join(letters) or None
