"""An officer's rights over her data: an export of everything held, and erasure."""


from common import idempotency
from common.runtime import Runtime
from services.registration import cohorts, enrollments, participants
from services.registration.session_projection import attended

INTERNAL = ("outbox", "outbox_pending", "email_key", "service_number_key")


def export(runtime: Runtime, participant_id: str) -> dict:
    """Everything registration holds on her: profile, enrollments, cohorts, attendance."""
    profile = participants.get(runtime, participant_id)
    if profile is None:
        raise participants.UnknownParticipantError(participant_id)
    return {
        "participant": {**{k: v for k, v in profile.items() if k not in INTERNAL},
                        "id": participant_id},
        "enrollments": [{**e, "id": e["_id"]}
                        for e in enrollments.of_participant(runtime, participant_id)],
        "series": cohorts.of_participant(runtime, participant_id),
        "attended_sessions": attended(runtime, participant_id),
    }


def erase(runtime: Runtime, participant_id: str) -> dict:
    """Scrub her personal fields, keep gender and agency, publish the erasure (once)."""
    current = participants.get(runtime, participant_id)
    if current is None:
        raise participants.UnknownParticipantError(participant_id)
    participants.tombstone(runtime, participant_id)
    if current.get("erased_at"):
        return current
    stored = participants.scrub(runtime, participant_id)
    # Stored answers to repeated requests quote her profile: each becomes a 410 without it, so
    # a client retrying her registration is told she was erased rather than re-creating her.
    idempotency.gone(runtime.db, participant_id, f"participant {participant_id} was erased")
    return stored or participants.get(runtime, participant_id)
