"""Every index registration needs, and the starting list of agencies; idempotent."""

from common.runtime import Runtime
from services.registration import agencies, enrollments, participants, session_projection

OUTBOX_COLLECTIONS = [participants.COLLECTION, session_projection.SESSIONS]


def ensure_all(runtime: Runtime) -> None:
    participants.ensure_indexes(runtime)
    agencies.ensure_indexes(runtime)
    session_projection.ensure_indexes(runtime)
    enrollments.ensure_indexes(runtime)
