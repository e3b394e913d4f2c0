"""Enrollment rules as plain functions: eligibility, the waiting list, who moves when seats change.

A session's seats are described by its holders (confirmed, in order of confirmation) and its
waiting list (first come, first served). Every function returns a `Plan`: the new lists and
the status change of each enrollment it touches; the caller writes it in one guarded update.
"""

from dataclasses import dataclass, field

ACTIVE = ("confirmed", "waitlisted")
FINAL = ("withdrawn", "rejected", "cancelled")


class IllegalTransitionError(Exception):
    """The enrollment is not in a state that allows this change."""


@dataclass(frozen=True)
class Change:
    participant_id: str
    status: str
    event_type: str
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Plan:
    holders: list[str]
    waiting: list[str]
    seats_left: int
    changes: list[Change]


def ineligibility(eligibility: dict | None, gender: str, agency: str) -> str | None:
    """Why a series' rule refuses this participant, or None when she may enroll."""
    rule = eligibility or {}
    genders, agencies = rule.get("genders"), rule.get("agencies")
    if genders and gender not in genders:
        return f"the series is open only to gender(s): {', '.join(genders)}"
    if agencies and agency.casefold() not in {a.casefold() for a in agencies}:
        return f"the series is open only to the agencies: {', '.join(agencies)}"
    return None


def _promote(capacity: int, holders: list[str], waiting: list[str],
             changes: list[Change]) -> Plan:
    """Fill free seats from the head of the waiting list."""
    free = max(0, capacity - len(holders))
    promoted = waiting[:free]
    changes = changes + [Change(pid, "confirmed", "registration.enrollment.promoted")
                         for pid in promoted]
    holders = holders + promoted
    return Plan(holders, waiting[len(promoted):], capacity - len(holders), changes)


def withdraw(capacity: int, holders: list[str], waiting: list[str], participant_id: str,
             status: str) -> Plan:
    """She leaves; a freed seat goes to the first waitlisted participant."""
    if status not in ACTIVE:
        raise IllegalTransitionError(f"an enrollment that is {status} cannot be withdrawn")
    left = Change(participant_id, "withdrawn", "registration.enrollment.withdrawn",
                  {"previous_status": status})
    return _promote(capacity, [p for p in holders if p != participant_id],
                    [p for p in waiting if p != participant_id], [left])


def change_capacity(capacity: int, holders: list[str], waiting: list[str]) -> Plan:
    """A new capacity: more seats promote from the waiting list; fewer never evict anyone."""
    return _promote(capacity, holders, waiting, [])


def cancel(capacity: int, holders: list[str], waiting: list[str], reason: str) -> Plan:
    """The session is cancelled: every active enrollment is cancelled with the reason."""
    changes = [Change(pid, "cancelled", "registration.enrollment.cancelled", {"reason": reason})
               for pid in holders + waiting]
    return Plan([], [], capacity, changes)


def position(waiting: list[str], participant_id: str) -> int | None:
    """1-based place on the waiting list, or None when she is not on it."""
    return waiting.index(participant_id) + 1 if participant_id in waiting else None
