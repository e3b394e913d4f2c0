"""Seats: an append-only log per session, each entry inserted under a unique sequence number.

FerretDB 1.24 (SQLite backend) applies an update as read-modify-write of the whole document, so
concurrent updates of one document lose each other's changes, and a guard in the filter does
not stop two racing writers (measured: 48 concurrent `$inc` left 3). The one atomic step it has
is an insert against a unique key. So each decision about a session's seats is a new log entry
whose `_id` is (session, next sequence number); of two processes deciding on the same state,
one insert wins and the other gets a duplicate key, re-reads and decides again. The entry
carries its events (atomic outbox), so nothing accepted is lost and no seat is given twice.
"""

import random
import time
import uuid
from datetime import UTC, datetime

from pymongo.errors import DuplicateKeyError

from common.envelope import Event
from common.runtime import Runtime
from services.registration import enrollments, events, rules
from services.registration.seat_log import LOG, entry_id, state
from services.registration.session_projection import get_series

MAX_ATTEMPTS = 200


class UnknownSessionError(Exception):
    def __init__(self, session_id: str):
        super().__init__(f"no session with id {session_id} is known to registration")


class SessionClosedError(Exception):
    def __init__(self, session_id: str, status: str):
        super().__init__(f"session {session_id} is {status}; it takes no enrollments")


class AlreadyEnrolledError(Exception):
    def __init__(self, enrollment: dict):
        super().__init__(f"the participant is already {enrollment['status']} in this session")
        self.existing_id = enrollment["enrollment_id"]


class UnknownEnrollmentError(Exception):
    def __init__(self, enrollment_id: str):
        super().__init__(f"no enrollment with id {enrollment_id}")


class ContentionError(Exception):
    """Too many concurrent changes to one session; the caller may retry."""


def _append(runtime: Runtime, current: rules.SeatState, kind: str, changes, cause: Event | None,
            **fields) -> bool:
    """Insert the next log entry with its events; False if another writer took that number."""
    seq = current.revision + 1
    published = [runtime.event(event_type, entry["enrollment_id"],
                               events.enrollment_data(event_type, entry, current.session_id,
                                                      current.series_id, sequence=seq, **extra),
                               cause)
                 for entry, event_type, extra in changes]
    document = {"_id": entry_id(current.session_id, seq), "session_id": current.session_id,
                "seq": seq, "kind": kind, "at": datetime.now(UTC),
                "changes": [entry for entry, _, _ in changes], **fields}
    try:
        runtime.insert(LOG, document, published)
    except DuplicateKeyError:
        return False
    return True


def _pause(attempt: int) -> None:
    # Jittered backoff so racing processes stop colliding; not a synchronisation.
    time.sleep(random.uniform(0, 0.002 * min(attempt + 1, 20)))  # noqa: S311


def _decide_and_append(runtime: Runtime, session_id: str, decide, kind: str,
                       cause: Event | None = None) -> rules.SeatState | None:
    """Read, decide, append; again on a lost race. ``decide`` returns (changes, fields) or None."""
    for attempt in range(MAX_ATTEMPTS):
        current = state(runtime, session_id)
        if current is None:
            raise UnknownSessionError(session_id)
        decision = decide(current)
        if decision is None:
            return None
        changes, fields = decision
        if _append(runtime, current, kind, changes, cause, **fields):
            after = state(runtime, session_id)
            # Copies of what changed, and of the waiting list whose places moved.
            enrollments.sync(runtime, after, [entry["participant_id"] for entry, _, _ in changes]
                             + after.waiting)
            return after
        _pause(attempt)
    raise ContentionError(f"session {session_id} is changing too fast; retry")


def open_session(runtime: Runtime, session_id: str, series_id: str | None,
                 capacity: int) -> None:
    """The log's first entry; a replay finds it there already."""
    document = {"_id": entry_id(session_id, 0), "session_id": session_id, "seq": 0,
                "kind": "opened", "series_id": series_id, "capacity": capacity,
                "status": "scheduled", "at": datetime.now(UTC), "changes": []}
    try:
        runtime.db[LOG].insert_one(document)
    except DuplicateKeyError:
        pass


def enroll(runtime: Runtime, session_id: str, participant: dict, cause: Event | None = None,
           only_new: bool = False) -> dict | None:
    """Confirm, waitlist or reject her; ``only_new`` skips anyone with any entry already."""
    pid = participant["_id"]
    now = datetime.now(UTC)
    entry = {"enrollment_id": str(uuid.uuid4()), "participant_id": pid,
             "gender": participant["gender"], "agency": participant["agency"],
             "requested_at": now, "updated_at": now}

    def decide(current: rules.SeatState):
        if current.status != "scheduled":
            raise SessionClosedError(session_id, current.status)
        existing = current.entries.get(pid)
        if existing is not None and only_new:
            return None
        if existing is not None and existing["status"] in rules.ACTIVE:
            raise AlreadyEnrolledError(existing)
        series = get_series(runtime, current.series_id) if current.series_id else None
        refusal = rules.ineligibility(series.get("eligibility") if series else None,
                                      participant["gender"], participant["agency"])
        return [rules.enroll(current, entry, refusal)], {}

    after = _decide_and_append(runtime, session_id, decide, "enrolled", cause)
    return enrollments.view(after, pid) if after else None


def withdraw(runtime: Runtime, enrollment_id: str, cause: Event | None = None) -> dict:
    """Confirmed or waitlisted -> withdrawn; the first waitlisted takes a freed seat."""
    enrollment = enrollments.get(runtime, enrollment_id)
    if enrollment is None:
        raise UnknownEnrollmentError(enrollment_id)
    pid = enrollment["participant_id"]

    def decide(current: rules.SeatState):
        entry = current.entries.get(pid)
        if entry is None or entry["enrollment_id"] != enrollment_id:
            raise rules.IllegalTransitionError(
                f"an enrollment that is {enrollment['status']} cannot be withdrawn")
        return _stamped(rules.withdraw(current, pid)), {}

    after = _decide_and_append(runtime, enrollment["session_id"], decide, "withdrawn", cause)
    return enrollments.view(after, pid)


def change_capacity(runtime: Runtime, session_id: str, capacity: int, cause: Event) -> None:
    """New capacity from the sessions service; added seats promote from the waiting list."""
    def decide(current: rules.SeatState):
        if current.capacity == capacity:
            return None
        return _stamped(rules.change_capacity(current, capacity)), {"capacity": capacity}
    try:
        _decide_and_append(runtime, session_id, decide, "capacity_changed", cause)
    except UnknownSessionError:
        pass  # never scheduled here: nothing holds a seat in it


def close(runtime: Runtime, session_id: str, status: str, reason: str | None,
          cause: Event) -> None:
    """Cancelled (every active enrollment cancelled, each with its event) or completed."""
    def decide(current: rules.SeatState):
        if current.status != "scheduled":
            return None
        changes = rules.cancel(current, reason or "") if status == "cancelled" else []
        return _stamped(changes), {"status": status}
    try:
        _decide_and_append(runtime, session_id, decide, status, cause)
    except UnknownSessionError:
        pass  # never scheduled here: nothing holds a seat in it


def _stamped(changes):
    now = datetime.now(UTC)
    return [({**entry, "updated_at": now}, kind, extra) for entry, kind, extra in changes]

