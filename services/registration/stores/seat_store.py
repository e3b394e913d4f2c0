"""Seat decisions on a session's log: enroll, withdraw, a new capacity, the session closed.

Each decision reads the log's state, asks `seat_rules` what changes, and appends the entry with
its events; a lost race (another process appended first) reads again and decides again. So no
seat is given twice and nothing accepted is lost (`seat_decisions`). Enrollments waiting for
one session's turn are decided together, in one entry (`turns`).
"""

import uuid
from datetime import UTC, datetime

from common.envelope import Event
from common.runtime import Runtime
from services.registration.domain import seat_rules
from services.registration.domain.errors import (
    ConflictError,
    InvalidFieldError,
    UnknownEnrollmentError,
    UnknownSessionError,
)
from services.registration.stores import (
    enrollment_store,
    participant_store,
    seat_decisions,
    seat_log_store,
    turns,
)
from services.registration.stores.session_projection_store import get_series, get_session

REFUSALS = seat_decisions.REFUSALS


def open_session(runtime: Runtime, session_id: str, series_id: str | None,
                 capacity: int) -> None:
    seat_log_store.open_log(runtime, session_id, series_id, capacity)


def enroll(runtime: Runtime, session_id: str, participant: dict, cause: Event | None = None,
           only_new: bool = False) -> dict | None:
    """Confirm, waitlist or reject her; ``only_new`` skips anyone with any entry already."""
    [request] = enroll_each(runtime, session_id, [participant], cause, only_new)
    return request.outcome()


def enroll_each(runtime: Runtime, session_id: str, participants: list[dict],
                cause: Event | None = None, only_new: bool = False) -> list[turns.Request]:
    """Enroll each participant (in order) in the session; a request per participant whose
    `outcome()` is her enrollment (None when ``only_new`` skipped her) or raises her refusal.

    Requests waiting for the session's turn, this call's and other threads', are decided
    together: one log entry, one insert of their copies (`turns`)."""
    now = datetime.now(UTC)
    asked = [({"enrollment_id": str(uuid.uuid4()), "participant_id": p["_id"],
               "gender": p["gender"], "agency": p["agency"], "requested_at": now,
               "updated_at": now}, only_new, cause) for p in participants]
    seat_log_store.note_change(runtime, session_id)
    return turns.decide_together((runtime.db.name, session_id), asked,
                                 seat_decisions.one_at_a_time(runtime, session_id),
                                 lambda batch: _enroll_batch(runtime, session_id, batch))


def _enroll_batch(runtime: Runtime, session_id: str, batch: list[turns.Request]):
    """Decide a turn's enrollments in one entry (the turn held); what copies them after."""
    refused: dict[int, Exception | None] = {}

    def decide(current: seat_rules.SeatState, fresh: bool):
        series = get_series(runtime, current.series_id) if current.series_id else None
        eligibility = series.get("eligibility") if series else None
        state, changes, causes = current, [], []
        refused.clear()
        for n, request in enumerate(batch):
            entry, only_new, cause = request.asked
            try:
                made = seat_rules.admit(state, entry, eligibility, only_new)
            except REFUSALS as exc:
                if not fresh:
                    raise  # perhaps only because the remembered seats are stale: read them
                refused[n] = exc
                continue
            if made is None:
                if not fresh:
                    raise ConflictError("stale seats")  # read them and decide again
                refused[n] = None
                continue
            # The next request of the turn is decided on the seats after this one's.
            state = seat_rules.then(state, [{"seq": current.revision,
                                             "changes": [c for c, _, _ in made]}])
            changes += made
            causes += [cause] * len(made)
        return (changes, {}, causes) if changes else None

    after, changes = seat_decisions.decided(runtime, session_id, decide, "enrolled", None)
    for n, request in enumerate(batch):
        if n in refused:
            request.error = refused[n]
    if after is None:
        return None

    def finish() -> None:
        seat_decisions.copy(runtime, after, changes, "enrolled")
        for n, request in enumerate(batch):
            if n not in refused:
                request.result = seat_rules.enrollment(after, request.asked[0]["participant_id"])
    return finish


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

    def decide(current: seat_rules.SeatState, fresh: bool):
        return _stamped(seat_rules.withdraw(current, pid, enrollment)), {}

    after = seat_decisions.decide_and_append(runtime, enrollment["session_id"], decide,
                                             "withdrawn", cause)
    return seat_rules.enrollment(after, pid)


def change_capacity(runtime: Runtime, session_id: str, capacity: int, cause: Event) -> None:
    """New capacity from the sessions service; added seats promote from the waiting list."""
    def decide(current: seat_rules.SeatState, fresh: bool):
        if current.capacity == capacity:
            return None
        return _stamped(seat_rules.change_capacity(current, capacity)), {"capacity": capacity}
    try:
        seat_decisions.decide_and_append(runtime, session_id, decide, "capacity_changed", cause)
    except UnknownSessionError:
        pass  # never scheduled here: nothing holds a seat in it


def close(runtime: Runtime, session_id: str, status: str, reason: str | None,
          cause: Event) -> None:
    """Cancelled (every active enrollment cancelled, each with its event) or completed."""
    def decide(current: seat_rules.SeatState, fresh: bool):
        if current.status != "scheduled":
            return None
        changes = seat_rules.cancel(current, reason or "") if status == "cancelled" else []
        return _stamped(changes), {"status": status}
    try:
        seat_decisions.decide_and_append(runtime, session_id, decide, status, cause)
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
