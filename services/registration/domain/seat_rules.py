"""Enrollment rules as plain functions: eligibility, seats, the waiting list, who moves when.

A session's seats are the fold of its append-only seat log (`stores/seat_log_store.py`): each
entry holds the status changes it decided. `fold` rebuilds the state; the decision functions
return the changes the next entry must hold. Holders keep the order in which they got their
seat; the waiting list keeps the order of arrival (first come, first served).
"""

from dataclasses import dataclass, field, replace

from services.registration.domain.errors import (
    AlreadyEnrolledError,
    IllegalTransitionError,
    SessionClosedError,
)

ACTIVE = ("confirmed", "waitlisted")
# The fields of a seat log entry an enrollment shows (its copy in the enrollments read model).
SHOWN = ("participant_id", "status", "gender", "agency", "reason", "previous_status",
         "requested_at", "updated_at")
CONFIRMED = "registration.enrollment.confirmed"
WAITLISTED = "registration.enrollment.waitlisted"
PROMOTED = "registration.enrollment.promoted"
REJECTED = "registration.enrollment.rejected"
WITHDRAWN = "registration.enrollment.withdrawn"
CANCELLED = "registration.enrollment.cancelled"


@dataclass
class SeatState:
    session_id: str
    series_id: str | None
    capacity: int
    status: str = "scheduled"
    revision: int = 0
    holders: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)
    entries: dict[str, dict] = field(default_factory=dict)
    # Every enrollment the session ever had (superseded ones too): id -> (change, revision).
    history: dict[str, tuple[dict, int]] = field(default_factory=dict)

    @property
    def seats_left(self) -> int:
        return self.capacity - len(self.holders)

    def position(self, participant_id: str) -> int | None:
        """1-based place on the waiting list, or None when she is not on it."""
        if participant_id in self.waiting:
            return self.waiting.index(participant_id) + 1
        return None


def fold(log: list[dict]) -> SeatState | None:
    """The seats after every entry of the log, in order; None if the session was never opened."""
    return then(None, log)


def then(state: SeatState | None, entries: list[dict]) -> SeatState | None:
    """The seats after ``entries`` (those following ``state``'s revision), as a new state."""
    if state is None:
        if not entries or entries[0]["kind"] != "opened":
            return None
        state = SeatState(entries[0]["session_id"], entries[0].get("series_id"),
                          entries[0]["capacity"])
    else:
        state = replace(state, holders=list(state.holders), waiting=list(state.waiting),
                        entries=dict(state.entries), history=dict(state.history))
    for entry in entries:
        state.revision = entry["seq"]
        if "capacity" in entry:
            state.capacity = entry["capacity"]
        if "status" in entry:
            state.status = entry["status"]
        for change in entry.get("changes", []):
            pid = change["participant_id"]
            if pid in state.entries:
                state.holders = [p for p in state.holders if p != pid]
                state.waiting = [p for p in state.waiting if p != pid]
            if change["status"] == "confirmed":
                state.holders.append(pid)
            elif change["status"] == "waitlisted":
                state.waiting.append(pid)
            state.entries[pid] = change
            state.history[change["enrollment_id"]] = (change, entry["seq"])
    return state


def enrollment(state: SeatState, participant_id: str) -> dict:
    """Her enrollment in this session as the seat log has it now."""
    entry = state.entries[participant_id]
    return {"_id": entry["enrollment_id"], "session_id": state.session_id,
            "series_id": state.series_id, "position": state.position(participant_id),
            "revision": state.revision, **{k: entry.get(k) for k in SHOWN}}


def enrollments(state: SeatState) -> list[dict]:
    """Every enrollment in the session, current and superseded, in order of request."""
    shown = []
    for enrollment_id, (change, revision) in state.history.items():
        pid = change["participant_id"]
        if state.entries[pid]["enrollment_id"] == enrollment_id:
            shown.append(enrollment(state, pid))
        else:
            shown.append({"_id": enrollment_id, "session_id": state.session_id,
                          "series_id": state.series_id, "position": None,
                          "revision": revision, **{k: change.get(k) for k in SHOWN}})
    return sorted(shown, key=lambda e: (e["requested_at"], e["_id"]))


def ineligibility(eligibility: dict | None, gender: str, agency: str) -> str | None:
    """Why a series' rule refuses this participant, or None when she may enroll."""
    rule = eligibility or {}
    genders, agencies = rule.get("genders"), rule.get("agencies")
    if genders and gender not in genders:
        return f"the series is open only to gender(s): {', '.join(genders)}"
    if agencies and agency.casefold() not in {a.casefold() for a in agencies}:
        return f"the series is open only to the agencies: {', '.join(agencies)}"
    return None


def _change(entry: dict, status: str, event_type: str, **extra) -> tuple[dict, str, dict]:
    return {**entry, "status": status, **extra}, event_type, extra


def enroll(state: SeatState, entry: dict, refusal: str | None):
    """Requested -> rejected (with the reason), confirmed while seats last, else waitlisted."""
    if refusal:
        return _change(entry, "rejected", REJECTED, reason=refusal)
    if state.seats_left > 0:
        return _change(entry, "confirmed", CONFIRMED)
    return _change(entry, "waitlisted", WAITLISTED, position=len(state.waiting) + 1)


def admit(state: SeatState, entry: dict, eligibility: dict | None, only_new: bool = False):
    """The changes her request makes (None when ``only_new`` and she has any entry already)."""
    if state.status != "scheduled":
        raise SessionClosedError(state.session_id, state.status)
    existing = state.entries.get(entry["participant_id"])
    if existing is not None and only_new:
        return None
    if existing is not None and existing["status"] in ACTIVE:
        raise AlreadyEnrolledError(existing)
    return [enroll(state, entry, ineligibility(eligibility, entry["gender"], entry["agency"]))]


def _promote(state: SeatState, capacity: int, holders: list[str], waiting: list[str]):
    free = max(0, capacity - len(holders))
    return [_change(state.entries[pid], "confirmed", PROMOTED) for pid in waiting[:free]]


def withdraw(state: SeatState, participant_id: str, enrollment: dict | None = None):
    """She leaves; a freed seat goes to the first waitlisted participant. Given the stored
    ``enrollment``, only that one may leave (an earlier one of hers, superseded, may not)."""
    entry = state.entries.get(participant_id)
    if enrollment is not None and (entry is None or
                                   entry["enrollment_id"] != enrollment["_id"]):
        raise IllegalTransitionError(
            f"an enrollment that is {enrollment['status']} cannot be withdrawn")
    status = entry["status"] if entry else "unknown"
    if status not in ACTIVE:
        raise IllegalTransitionError(f"an enrollment that is {status} cannot be withdrawn")
    holders = [p for p in state.holders if p != participant_id]
    waiting = [p for p in state.waiting if p != participant_id]
    left = _change(entry, "withdrawn", WITHDRAWN, previous_status=status)
    return [left, *_promote(state, state.capacity, holders, waiting)]


def change_capacity(state: SeatState, capacity: int):
    """A new capacity: more seats promote from the waiting list; fewer never evict anyone."""
    return _promote(state, capacity, state.holders, state.waiting)


def cancel(state: SeatState, reason: str):
    """The session is cancelled: every active enrollment is cancelled with the reason."""
    return [_change(state.entries[pid], "cancelled", CANCELLED, reason=reason)
            for pid in state.holders + state.waiting]
