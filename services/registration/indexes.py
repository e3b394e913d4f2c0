"""Every index registration needs, and the starting list of agencies; idempotent."""

from common.runtime import Runtime
from services.registration.stores import (
    agency_store,
    cohort_store,
    enrollment_store,
    participant_store,
    seat_log_store,
    session_projection_store,
)

OUTBOX_COLLECTIONS = [participant_store.COLLECTION, seat_log_store.LOG]


def ensure_indexes(runtime: Runtime) -> None:
    for store in (participant_store, agency_store, session_projection_store, enrollment_store,
                  seat_log_store, cohort_store):
        store.ensure_indexes(runtime)
