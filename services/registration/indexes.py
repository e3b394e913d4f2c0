"""Every index registration needs, and the starting list of agencies; idempotent."""

from common.runtime import Runtime
from services.registration import (
    agencies,
    cohorts,
    enrollments,
    participants,
    seat_log,
    session_projection,
)

OUTBOX_COLLECTIONS = [participants.COLLECTION, seat_log.LOG]


def ensure_all(runtime: Runtime) -> None:
    participants.ensure_indexes(runtime)
    agencies.ensure_indexes(runtime)
    session_projection.ensure_indexes(runtime)
    enrollments.ensure_indexes(runtime)
    seat_log.ensure_indexes(runtime)
    cohorts.ensure_indexes(runtime)
