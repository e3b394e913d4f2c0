"""Cohorts: who may join a series, who an earlier session brings, in which order sessions come."""

from services.registration.domain.errors import NotEligibleError
from services.registration.domain.seat_rules import SeatState, ineligibility

SOURCES = ("attendees", "confirmed")


def check_eligible(series: dict, participant: dict) -> None:
    """Refuse her (NotEligibleError, with the series' reason) unless its rule admits her."""
    reason = ineligibility(series.get("eligibility"), participant["gender"],
                           participant["agency"])
    if reason:
        raise NotEligibleError(reason)


def brought_by(source_session: dict, seats: SeatState | None, include: str) -> list[str]:
    """The officers an earlier session brings: those who attended, or those confirmed."""
    if include == "attendees":
        return list(source_session.get("attendees", []))
    return list(seats.holders) if seats else []


def in_order(sessions: list[dict]) -> list[dict]:
    """A series' sessions in the order they run: by position, then by start."""
    return sorted(sessions, key=lambda s: (s.get("position") or 0, str(s.get("starts_at"))))
