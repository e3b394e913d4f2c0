"""Seats: each change to a session's holders and waiting list is ONE guarded document update.

FerretDB has no transactions, so the session's projection document holds the seat counter, the
holders, the waiting list and every participant's entry; one `find_one_and_update` whose filter
guards the decision (a seat is still free, she is not already in, the list has not moved) writes
the change and its event together. Whoever loses the race re-reads and decides again.
"""

import random
import time
import uuid
from datetime import UTC, datetime

from common.envelope import Event
from common.runtime import Runtime
from services.registration import enrollments, events, rules
from services.registration.session_projection import SESSIONS, get_series, get_session

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


def _pause(attempt: int) -> None:
    # Jittered backoff so racing processes stop colliding; not a synchronisation.
    time.sleep(random.uniform(0, 0.002 * min(attempt + 1, 20)))  # noqa: S311


def enroll(runtime: Runtime, session_id: str, participant: dict, cause: Event | None = None,
           only_new: bool = False) -> dict | None:
    """Confirm, waitlist or reject her in one write; ``only_new`` skips anyone with any entry."""
    pid = participant["_id"]
    for attempt in range(MAX_ATTEMPTS):
        session = get_session(runtime, session_id)
        if session is None:
            raise UnknownSessionError(session_id)
        if session["status"] != "scheduled":
            raise SessionClosedError(session_id, session["status"])
        entry = session.get("entries", {}).get(pid)
        if entry is not None and only_new:
            return None
        if entry is not None and entry["status"] in rules.ACTIVE:
            raise AlreadyEnrolledError(entry)
        query, update, event = _decide(runtime, session, participant, cause, only_new)
        stored = runtime.update(SESSIONS, query, update, [event])
        if stored is not None:
            enrollments.sync(runtime, stored, [pid])
            return enrollments.view(stored, pid)
        _pause(attempt)
    raise ContentionError(f"session {session_id} is changing too fast; retry")


def _decide(runtime: Runtime, session: dict, participant: dict, cause, only_new):
    pid = participant["_id"]
    series = get_series(runtime, session["series_id"]) if session.get("series_id") else None
    reason = rules.ineligibility(series.get("eligibility") if series else None,
                                participant["gender"], participant["agency"])
    now = datetime.now(UTC)
    entry = {"enrollment_id": str(uuid.uuid4()), "participant_id": pid,
             "gender": participant["gender"], "agency": participant["agency"],
             "requested_at": now, "updated_at": now}
    query = {"_id": session["_id"], "status": "scheduled", "holders": {"$ne": pid},
             "waiting": {"$ne": pid}}
    if only_new:
        query[f"entries.{pid}"] = {"$exists": False}
    update = {"$inc": {"revision": 1}}
    if reason:
        entry.update(status="rejected", reason=reason)
        kind, extra = events.ENROLLMENT_REJECTED, {"reason": reason}
    elif session["seats_left"] > 0:
        entry["status"] = "confirmed"
        query["seats_left"] = {"$gt": 0}
        update["$inc"]["seats_left"] = -1
        update["$push"] = {"holders": pid}
        kind, extra = events.ENROLLMENT_CONFIRMED, {}
    else:
        waiting = len(session.get("waiting", []))
        entry["status"] = "waitlisted"
        query["seats_left"] = {"$lte": 0}
        query["waiting"] = {"$ne": pid, "$size": waiting}  # her place is decided by this write
        update["$push"] = {"waiting": pid}
        kind, extra = events.ENROLLMENT_WAITLISTED, {"position": waiting + 1}
    update["$set"] = {f"entries.{pid}": entry, "sync_pending": True}
    event = runtime.event(kind, entry["enrollment_id"],
                          events.enrollment_data(kind, entry, session, **extra), cause)
    return query, update, event


def apply_plan(runtime: Runtime, session: dict, plan: rules.Plan, cause: Event | None,
               **also) -> dict | None:
    """Write a plan if the session has not changed since it was read; None if it has."""
    now = datetime.now(UTC)
    sets = {"holders": plan.holders, "waiting": plan.waiting, "seats_left": plan.seats_left,
            "sync_pending": True, **also}
    published = []
    for change in plan.changes:
        entry = {**session["entries"][change.participant_id], "status": change.status,
                 "updated_at": now, **change.extra}
        sets[f"entries.{change.participant_id}"] = entry
        published.append(runtime.event(
            change.event_type, entry["enrollment_id"],
            events.enrollment_data(change.event_type, entry, session, **change.extra), cause))
    stored = runtime.update(SESSIONS, {"_id": session["_id"], "revision": session["revision"]},
                            {"$set": sets, "$inc": {"revision": 1}}, published)
    if stored is not None:
        enrollments.sync(runtime, stored, [c.participant_id for c in plan.changes]
                         + list(stored.get("waiting", [])))
    return stored


def withdraw(runtime: Runtime, enrollment_id: str, cause: Event | None = None) -> dict:
    """Confirmed or waitlisted -> withdrawn; the first waitlisted takes a freed seat."""
    enrollment = enrollments.get(runtime, enrollment_id)
    if enrollment is None:
        raise UnknownEnrollmentError(enrollment_id)
    pid = enrollment["participant_id"]
    for attempt in range(MAX_ATTEMPTS):
        session = get_session(runtime, enrollment["session_id"])
        entry = session.get("entries", {}).get(pid) if session else None
        if entry is None or entry["enrollment_id"] != enrollment_id:
            raise rules.IllegalTransitionError(
                f"an enrollment that is {enrollment['status']} cannot be withdrawn")
        plan = rules.withdraw(session["capacity"], session.get("holders", []),
                              session.get("waiting", []), pid, entry["status"])
        stored = apply_plan(runtime, session, plan, cause)
        if stored is not None:
            return enrollments.view(stored, pid)
        _pause(attempt)
    raise ContentionError(f"session {enrollment['session_id']} is changing too fast; retry")


def change_capacity(runtime: Runtime, session_id: str, capacity: int, cause: Event) -> None:
    """New capacity from the sessions service; added seats promote from the waiting list."""
    for attempt in range(MAX_ATTEMPTS):
        session = get_session(runtime, session_id)
        if session is None:
            return
        plan = rules.change_capacity(capacity, session.get("holders", []),
                                     session.get("waiting", []))
        if apply_plan(runtime, session, plan, cause, capacity=capacity) is not None:
            return
        _pause(attempt)
    raise ContentionError(f"session {session_id} is changing too fast")


def cancel_session(runtime: Runtime, session_id: str, reason: str, cause: Event) -> None:
    """Every active enrollment of a cancelled session is cancelled, each with its event."""
    for attempt in range(MAX_ATTEMPTS):
        session = get_session(runtime, session_id)
        if session is None:
            return
        plan = rules.cancel(session["capacity"], session.get("holders", []),
                            session.get("waiting", []), reason)
        if apply_plan(runtime, session, plan, cause, status="cancelled") is not None:
            return
        _pause(attempt)
    raise ContentionError(f"session {session_id} is changing too fast")
