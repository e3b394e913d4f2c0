"""Cohorts: the same officers through a whole series, present sessions and future ones.

Membership is one document per (series, participant), inserted: concurrent additions to one
series cannot overwrite each other (FerretDB's updates are read-modify-write).
"""

from datetime import UTC, datetime

from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from common.envelope import Event
from common.runtime import Runtime
from services.registration import enrollments, participants, rules, seat_log, seats
from services.registration.session_projection import SESSIONS, get_series, sessions_of_series

MEMBERS = "cohort_members"
SOURCES = ("attendees", "confirmed")


class UnknownSeriesError(Exception):
    def __init__(self, series_id: str):
        super().__init__(f"no series with id {series_id} is known to registration")


class UnknownSourceSessionError(Exception):
    def __init__(self, session_id: str):
        super().__init__(f"no session with id {session_id} is known to registration")


class NotEligibleError(Exception):
    """The series' eligibility rule refuses her."""


def members(runtime: Runtime, series_id: str) -> list[str]:
    found = runtime.db[MEMBERS].find({"series_id": series_id}).sort("joined_at", ASCENDING)
    return [m["participant_id"] for m in found]


def of_participant(runtime: Runtime, participant_id: str) -> list[str]:
    return [m["series_id"] for m in runtime.db[MEMBERS].find({"participant_id": participant_id})]


def join_series(runtime: Runtime, series_id: str, participant_id: str,
                cause: Event | None = None) -> list[dict]:
    """Add her to the series' cohort and enroll her in each of its open sessions."""
    series = get_series(runtime, series_id)
    if series is None:
        raise UnknownSeriesError(series_id)
    participant = participants.enrollable(runtime, participant_id)
    reason = rules.ineligibility(series.get("eligibility"), participant["gender"],
                                 participant["agency"])
    if reason:
        raise NotEligibleError(reason)
    # Cohort first, sessions second; the worker does the reverse for a new session, so a
    # session scheduled meanwhile is seen by at least one of the two (enroll is idempotent).
    try:
        runtime.db[MEMBERS].insert_one({"_id": f"{series_id}:{participant_id}",
                                        "series_id": series_id, "participant_id": participant_id,
                                        "joined_at": datetime.now(UTC)})
    except DuplicateKeyError:
        pass
    return [outcome for session in sessions_of_series(runtime, series_id)
            if (outcome := _enroll_once(runtime, session["_id"], participant, cause))]


def _enroll_once(runtime: Runtime, session_id: str, participant: dict, cause) -> dict | None:
    try:
        return seats.enroll(runtime, session_id, participant, cause)
    except seats.AlreadyEnrolledError as exc:
        return enrollments.current(runtime, exc.existing_id)
    except (seats.SessionClosedError, seats.UnknownSessionError):
        return None


def join_from_session(runtime: Runtime, series_id: str, session_id: str,
                      include: str) -> dict:
    """Bring an earlier session's attendees (or confirmed participants) into a series."""
    if get_series(runtime, series_id) is None:
        raise UnknownSeriesError(series_id)
    source = runtime.db[SESSIONS].find_one({"_id": session_id})
    if source is None:
        raise UnknownSourceSessionError(session_id)
    if include == "attendees":
        people = source.get("attendees", [])
    else:
        state = seat_log.state(runtime, session_id)
        people = state.holders if state else []
    joined, refused = [], []
    for participant_id in people:
        try:
            join_series(runtime, series_id, participant_id)
            joined.append(participant_id)
        except (NotEligibleError, participants.UnknownParticipantError,
                participants.ErasedParticipantError) as exc:
            refused.append({"participant_id": participant_id, "reason": str(exc)})
    return {"series_id": series_id, "session_id": session_id, "include": include,
            "joined": joined, "refused": refused}


def enroll_cohort(runtime: Runtime, session_id: str, series_id: str | None,
                  cause: Event) -> int:
    """A new session of a series: enroll the series' cohort, each officer once."""
    if not series_id:
        return 0
    enrolled = 0
    for participant_id in members(runtime, series_id):
        participant = participants.get(runtime, participant_id)
        if participant is None or participant.get("erased_at"):
            continue
        try:
            if seats.enroll(runtime, session_id, participant, cause, only_new=True):
                enrolled += 1
        except seats.SessionClosedError:
            break
    return enrolled


def ensure_indexes(runtime: Runtime) -> None:
    runtime.db[MEMBERS].create_index("series_id")
    runtime.db[MEMBERS].create_index("participant_id")
