"""Cohorts: the same officers through a whole series, present sessions and future ones.

Membership is one document per (series, participant), claimed by a unique insert, so
concurrent additions to one series cannot overwrite each other.
"""

from datetime import UTC, datetime

from pymongo import ASCENDING

from common.envelope import Event
from common.persistence import claims
from common.runtime import Runtime
from services.registration.domain import cohort_rules
from services.registration.domain.errors import (
    AlreadyEnrolledError,
    ErasedParticipantError,
    InvalidFieldError,
    NotEligibleError,
    SessionClosedError,
    UnknownParticipantError,
    UnknownSeriesError,
    UnknownSessionError,
)
from services.registration.stores import (
    enrollment_store,
    participant_store,
    seat_log_store,
    seat_store,
)
from services.registration.stores.session_projection_store import (
    any_session,
    get_series,
    sessions_of_series,
)

MEMBERS = "cohort_members"


def members(runtime: Runtime, series_id: str) -> list[str]:
    found = runtime.db[MEMBERS].find({"series_id": series_id}).sort("joined_at", ASCENDING)
    return [m["participant_id"] for m in found]


def of_participant(runtime: Runtime, participant_id: str) -> list[str]:
    return [m["series_id"] for m in runtime.db[MEMBERS].find({"participant_id": participant_id})]


def known_series(runtime: Runtime, series_id: str) -> dict:
    series = get_series(runtime, series_id)
    if series is None:
        raise UnknownSeriesError(series_id)
    return series


def join_series(runtime: Runtime, series_id: str, participant_id: str,
                cause: Event | None = None) -> list[dict]:
    """Add her to the series' cohort and enroll her in each of its open sessions."""
    series = known_series(runtime, series_id)
    participant = participant_store.enrollable(runtime, participant_id)
    cohort_rules.check_eligible(series, participant)
    # Cohort first, sessions second; the worker does the reverse for a new session, so a
    # session scheduled meanwhile is seen by at least one of the two (enroll is idempotent).
    claims.claim(runtime.db[MEMBERS], f"{series_id}:{participant_id}", series_id=series_id,
                 participant_id=participant_id, joined_at=datetime.now(UTC))
    sessions = cohort_rules.in_order(sessions_of_series(runtime, series_id))
    return [outcome for session in sessions
            if (outcome := _enroll_once(runtime, session["_id"], participant, cause))]


def join_named(runtime: Runtime, series_id: str, participant_id: str) -> list[dict]:
    """`join_series` for the participant a request names: 422 naming her when unknown."""
    known_series(runtime, series_id)
    try:
        return join_series(runtime, series_id, participant_id)
    except UnknownParticipantError as exc:
        raise InvalidFieldError("participant_id", str(exc)) from exc


def _enroll_once(runtime: Runtime, session_id: str, participant: dict, cause) -> dict | None:
    try:
        return seat_store.enroll(runtime, session_id, participant, cause)
    except AlreadyEnrolledError as exc:
        return enrollment_store.current(runtime, exc.existing_id)
    except (SessionClosedError, UnknownSessionError):
        return None


def join_from_session(runtime: Runtime, series_id: str, session_id: str,
                      include: str) -> dict:
    """Bring an earlier session's attendees (or confirmed participants) into a series."""
    known_series(runtime, series_id)
    source = any_session(runtime, session_id)
    if source is None:
        raise InvalidFieldError("session_id", str(UnknownSessionError(session_id)))
    seats = seat_log_store.state(runtime, session_id) if include == "confirmed" else None
    joined, refused = [], []
    for participant_id in cohort_rules.brought_by(source, seats, include):
        try:
            join_series(runtime, series_id, participant_id)
            joined.append(participant_id)
        except (NotEligibleError, UnknownParticipantError, ErasedParticipantError) as exc:
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
        participant = participant_store.get(runtime, participant_id)
        if participant is None or participant.get("erased_at"):
            continue
        try:
            if seat_store.enroll(runtime, session_id, participant, cause, only_new=True):
                enrolled += 1
        except SessionClosedError:
            break
    return enrolled


def ensure_indexes(runtime: Runtime) -> None:
    runtime.db[MEMBERS].create_index("series_id")
    runtime.db[MEMBERS].create_index("participant_id")
