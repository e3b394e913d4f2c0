"""Seat decisions on a session's log: enroll, withdraw, a new capacity, the session closed.

Each decision reads the log's state, asks `seat_rules` what changes, and appends the entry with
its events; a lost race (another process appended first) reads again and decides again. So no
seat is given twice and nothing accepted is lost.
"""

import random
import threading
import time
import uuid
from datetime import UTC, datetime

from common.envelope import Event
from common.runtime import Runtime
from services.registration import events
from services.registration.domain import seat_rules
from services.registration.domain.errors import (
    ConflictError,
    ContentionError,
    GoneError,
    InvalidFieldError,
    NotFoundError,
    UnknownEnrollmentError,
    UnknownSessionError,
)
from services.registration.stores import enrollment_store, participant_store, seat_log_store
from services.registration.stores.session_projection_store import get_series, get_session

MAX_ATTEMPTS = 200
REFUSALS = (ConflictError, GoneError, InvalidFieldError, NotFoundError)


def _pause(attempt: int) -> None:
    # Jittered backoff so racing processes stop colliding; not a synchronisation.
    time.sleep(random.uniform(0, 0.002 * min(attempt + 1, 20)))  # noqa: S311


_deciding: dict[tuple[str, str], threading.Lock] = {}
_deciding_lock = threading.Lock()


def _one_at_a_time(runtime: Runtime, session_id: str) -> threading.Lock:
    """This process's lock on deciding for one session: its threads queue instead of racing
    (only other processes can take a number first; the unique append still decides)."""
    key = (runtime.db.name, session_id)
    with _deciding_lock:
        if len(_deciding) > 10_000:
            _deciding.clear()  # a lock dropped here only lets two threads race, as processes do
        return _deciding.setdefault(key, threading.Lock())


def _decide_and_append(runtime: Runtime, session_id: str, decide, kind: str,
                       cause: Event | None = None) -> seat_rules.SeatState | None:
    """Read, decide, append; again on a lost race. ``decide`` returns (changes, fields) or None."""
    seat_log_store.note_change(runtime, session_id)
    with _one_at_a_time(runtime, session_id):
        # First from the seats this process remembers, without a read: were they stale, the
        # append finds its number taken (or the decision is none or a refusal), and the log is
        # read and the decision made again on what it holds.
        current = seat_log_store.remembered(runtime, session_id)
        for attempt in range(MAX_ATTEMPTS):
            fresh = current is None or attempt > 0
            if fresh:
                current = seat_log_store.state(runtime, session_id)
            if current is None:
                raise UnknownSessionError(session_id)
            try:
                decision = decide(current)
            except REFUSALS:
                if fresh:
                    raise
                continue
            if decision is None:
                if fresh:
                    return None
                continue
            changes, fields = decision
            after = seat_log_store.append(runtime, current, kind,
                                          [entry for entry, _, _ in changes],
                                          _events(runtime, current, changes, cause), **fields)
            if after is not None:
                break
            if fresh:
                _pause(attempt)
        else:
            raise ContentionError(f"session {session_id} is changing too fast; retry")
    moved = [entry["participant_id"] for entry, _, _ in changes]
    if kind != "enrolled":
        moved += after.waiting  # places on the waiting list may have moved: their copies too
    enrollment_store.sync(runtime, after, moved)
    return after


def _events(runtime: Runtime, current: seat_rules.SeatState, changes, cause: Event | None):
    seq = current.revision + 1
    return [runtime.event(event_type, entry["enrollment_id"],
                          events.enrollment_data(event_type, entry, current.session_id,
                                                 current.series_id, sequence=seq, **extra), cause)
            for entry, event_type, extra in changes]


def open_session(runtime: Runtime, session_id: str, series_id: str | None,
                 capacity: int) -> None:
    seat_log_store.open_log(runtime, session_id, series_id, capacity)


def enroll(runtime: Runtime, session_id: str, participant: dict, cause: Event | None = None,
           only_new: bool = False) -> dict | None:
    """Confirm, waitlist or reject her; ``only_new`` skips anyone with any entry already."""
    now = datetime.now(UTC)
    entry = {"enrollment_id": str(uuid.uuid4()), "participant_id": participant["_id"],
             "gender": participant["gender"], "agency": participant["agency"],
             "requested_at": now, "updated_at": now}

    def decide(current: seat_rules.SeatState):
        series = get_series(runtime, current.series_id) if current.series_id else None
        changes = seat_rules.admit(current, entry, series.get("eligibility") if series else None,
                                   only_new)
        return None if changes is None else (changes, {})

    after = _decide_and_append(runtime, session_id, decide, "enrolled", cause)
    return seat_rules.enrollment(after, participant["_id"]) if after else None


def enroll_named(runtime: Runtime, session_id: str, participant_id: str) -> dict:
    """Enroll the participant a request names in the session it names: 422 naming the field
    that names nothing registration knows."""
    participant = participant_store.named(runtime, participant_id)
    try:
        return enroll(runtime, session_id, participant)
    except UnknownSessionError as exc:
        raise InvalidFieldError("session_id", str(exc)) from exc


def withdraw(runtime: Runtime, enrollment_id: str, cause: Event | None = None) -> dict:
    """Confirmed or waitlisted -> withdrawn; the first waitlisted takes a freed seat."""
    enrollment = enrollment_store.get(runtime, enrollment_id)
    if enrollment is None:
        raise UnknownEnrollmentError(enrollment_id)
    pid = enrollment["participant_id"]

    def decide(current: seat_rules.SeatState):
        return _stamped(seat_rules.withdraw(current, pid, enrollment)), {}

    after = _decide_and_append(runtime, enrollment["session_id"], decide, "withdrawn", cause)
    return seat_rules.enrollment(after, pid)


def change_capacity(runtime: Runtime, session_id: str, capacity: int, cause: Event) -> None:
    """New capacity from the sessions service; added seats promote from the waiting list."""
    def decide(current: seat_rules.SeatState):
        if current.capacity == capacity:
            return None
        return _stamped(seat_rules.change_capacity(current, capacity)), {"capacity": capacity}
    try:
        _decide_and_append(runtime, session_id, decide, "capacity_changed", cause)
    except UnknownSessionError:
        pass  # never scheduled here: nothing holds a seat in it


def close(runtime: Runtime, session_id: str, status: str, reason: str | None,
          cause: Event) -> None:
    """Cancelled (every active enrollment cancelled, each with its event) or completed."""
    def decide(current: seat_rules.SeatState):
        if current.status != "scheduled":
            return None
        changes = seat_rules.cancel(current, reason or "") if status == "cancelled" else []
        return _stamped(changes), {"status": status}
    try:
        _decide_and_append(runtime, session_id, decide, status, cause)
    except UnknownSessionError:
        pass  # never scheduled here: nothing holds a seat in it


def _stamped(changes):
    now = datetime.now(UTC)
    return [({**entry, "updated_at": now}, kind, extra) for entry, kind, extra in changes]


def known_state(runtime: Runtime, session_id: str) -> seat_rules.SeatState:
    """The session's seats now; UnknownSessionError if registration never opened it."""
    state = seat_log_store.state(runtime, session_id)
    if state is None:
        raise UnknownSessionError(session_id)
    return state


def seats_of(runtime: Runtime, session_id: str) -> dict:
    """The session as registration knows it, with its seats and waiting list."""
    session = get_session(runtime, session_id)
    state = known_state(runtime, session_id)
    if session is None:
        raise UnknownSessionError(session_id)
    waiting = [{"position": n, "participant_id": pid,
                "enrollment_id": state.entries[pid]["enrollment_id"]}
               for n, pid in enumerate(state.waiting, start=1)]
    return {**session, "status": state.status, "capacity": state.capacity,
            "seats_left": state.seats_left, "confirmed": len(state.holders),
            "waiting_list": waiting}


def confirmed_names(runtime: Runtime, session_id: str) -> list[dict]:
    """The names of the session's confirmed officers, for its attendance sheet, by family name."""
    shown = []
    for participant_id in known_state(runtime, session_id).holders:
        officer = participant_store.get(runtime, participant_id) or {}
        shown.append({"participant_id": participant_id,
                      "given_name": officer.get("given_name"),
                      "family_name": officer.get("family_name"),
                      "agency": officer.get("agency")})
    return sorted(shown, key=lambda o: (o["family_name"] or "", o["given_name"] or ""))
