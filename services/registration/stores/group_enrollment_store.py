"""A group of officers enrolled in one session by one request: each one's outcome.

A coordinator enrolling a cohort, or a workshop's list, sends it once rather than once per
officer. Each officer is checked as a single enrollment checks her (known, not erased; then
the seats and the series' rule), and the whole group is decided in the session's turn
together (`seat_store.enroll_each`): one seat log entry, one insert of the copies. Asking
again gives each officer already enrolled her refusal naming that enrollment, so a repeated
request enrolls nobody twice.
"""

from concurrent.futures import ThreadPoolExecutor

from common.runtime import Runtime
from services.registration.domain.errors import (
    ConflictError,
    ErasedParticipantError,
    UnknownParticipantError,
    UnknownSessionError,
)
from services.registration.stores import participant_store, seat_log_store, seat_store

MOST = 500  # officers in one request (its body stays under the size limit)
# Each officer is two reads by `_id` (her profile, her erasure): a group's go a few at a time.
_READERS = ThreadPoolExecutor(max_workers=6, thread_name_prefix="group-enrollment")


def _refusal(participant_id: str, status: int, exc: Exception) -> dict:
    outcome = {"participant_id": participant_id, "status": status, "message": str(exc)}
    if isinstance(exc, ConflictError) and exc.existing_id:
        outcome["existing_id"] = exc.existing_id
    return outcome


def _checked(runtime: Runtime, participant_id: str):
    """Her profile if she may enroll, else (None, her refusal)."""
    try:
        return participant_store.enrollable(runtime, participant_id)
    except UnknownParticipantError as exc:
        return None, _refusal(participant_id, 422, exc)
    except ErasedParticipantError as exc:
        return None, _refusal(participant_id, 409, exc)


def enroll_group(runtime: Runtime, session_id: str, participant_ids: list[str]) -> list[dict]:
    """Enroll each officer (in the order given, each once) in the session; one outcome per
    officer: `status` 201 with her `enrollment`, or 409 / 422 with why not."""
    if seat_log_store.state(runtime, session_id) is None:
        raise UnknownSessionError(session_id)
    outcomes: dict[str, dict] = {}
    enrollable, asked = [], list(dict.fromkeys(participant_ids))
    for participant_id, found in zip(asked, _READERS.map(lambda pid: _checked(runtime, pid),
                                                         asked), strict=True):
        if isinstance(found, dict):
            enrollable.append(found)
        else:
            outcomes[participant_id] = found[1]
    requests = seat_store.enroll_each(runtime, session_id, enrollable)
    for participant, request in zip(enrollable, requests, strict=True):
        try:
            outcomes[participant["_id"]] = {"participant_id": participant["_id"], "status": 201,
                                            "enrollment": request.outcome()}
        except ConflictError as exc:
            outcomes[participant["_id"]] = _refusal(participant["_id"], 409, exc)
    return [outcomes[pid] for pid in asked]
