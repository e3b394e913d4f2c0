"""An officer's rights over her data: an export of everything held, and erasure."""

import json

from common import idempotency
from common.runtime import Runtime
from services.registration.stores import cohort_store, enrollment_store, participant_store
from services.registration.stores.session_projection_store import attended

INTERNAL = ("outbox", "outbox_pending", "email_key", "service_number_key")


def export(runtime: Runtime, participant_id: str) -> dict:
    """Everything registration holds on her: profile, enrollments, cohorts, attendance."""
    profile = participant_store.found(runtime, participant_id)
    return {
        "participant": {k: v for k, v in profile.items() if k not in INTERNAL},
        "enrollments": enrollment_store.of_participant(runtime, participant_id),
        "series": cohort_store.of_participant(runtime, participant_id),
        "attended_sessions": attended(runtime, participant_id),
    }


def erased_in(runtime: Runtime, answer: str) -> str | None:
    """Which erased officer a stored answer shows the profile of ("participant <id>"), if any."""
    if '"email"' not in answer:  # only profiles carry personal data: no look-up for the rest
        return None
    try:
        shown = json.loads(answer)
    except ValueError:
        return None
    found = shown.get("id") if isinstance(shown, dict) else None
    if isinstance(found, str) and participant_store.is_erased(runtime, found):
        return f"participant {found}"
    return None


def erase(runtime: Runtime, participant_id: str) -> dict:
    """Scrub her personal fields, keep gender and agency, publish the erasure (once)."""
    current = participant_store.found(runtime, participant_id)
    participant_store.tombstone(runtime, participant_id)
    if current.get("erased_at"):
        return current
    stored = participant_store.scrub(runtime, participant_id)
    # Stored answers to repeated requests quote her profile: each becomes a 410 without it, so
    # a client retrying her registration is told she was erased rather than re-creating her.
    idempotency.gone(runtime.db, participant_id, f"participant {participant_id} was erased")
    return stored or participant_store.get(runtime, participant_id)
