"""A group of officers enrolled in one session by one request: each one's outcome.

A coordinator enrolling a cohort, or a workshop's list, sends it once rather than once per
officer. Each officer is checked as a single enrollment checks her (known, not erased; then
the seats and the series' rule), and the whole group is decided in the session's turn
together (`seat_store.enroll_each`): one seat log entry, one insert of the copies. Asking
again gives each officer already enrolled her refusal naming that enrollment, so a repeated
request enrolls nobody twice.
"""

from common.runtime import Runtime
from services.registration.domain.errors import (
    ConflictError,
    ErasedParticipantError,
    UnknownParticipantError,
    UnknownSessionError,
)
from services.registration.stores import participant_store, seat_log_store, seat_store

MOST = 500  # officers in one request (its body stays under the size limit)


def _refusal(participant_id: str, status: int, exc: Exception) -> dict:
    outcome = {"participant_id": participant_id, "status": status, "message": str(exc)}
    if isinstance(exc, ConflictError) and exc.existing_id:
        outcome["existing_id"] = exc.existing_id
    return outcome


def enroll_group(runtime: Runtime, session_id: str, participant_ids: list[str]) -> list[dict]:
    """Enroll each officer (in the order given, each once) in the session; one outcome per
    officer: `status` 201 with her `enrollment`, or 409 / 422 with why not."""
    if seat_log_store.state(runtime, session_id) is None:
        raise UnknownSessionError(session_id)
    outcomes: dict[str, dict] = {}
    enrollable = []
    for participant_id in dict.fromkeys(participant_ids):
        try:
            enrollable.append(participant_store.enrollable(runtime, participant_id))
        except UnknownParticipantError as exc:
            outcomes[participant_id] = _refusal(participant_id, 422, exc)
        except ErasedParticipantError as exc:
            outcomes[participant_id] = _refusal(participant_id, 409, exc)
    requests = seat_store.enroll_each(runtime, session_id, enrollable)
    for participant, request in zip(enrollable, requests, strict=True):
        try:
            outcomes[participant["_id"]] = {"participant_id": participant["_id"], "status": 201,
                                            "enrollment": request.outcome()}
        except ConflictError as exc:
            outcomes[participant["_id"]] = _refusal(participant["_id"], 409, exc)
    return [outcomes[pid] for pid in dict.fromkeys(participant_ids)]
