"""Every index sessions needs, created once per process when the database answers, and the
collections whose documents carry an outbox."""

from common.runtime import Runtime
from services.sessions.stores import (
    attendance_log_store,
    certificate_store,
    facilitator_store,
    programme_store,
    roster_store,
    series_store,
    session_store,
)

OUTBOX_COLLECTIONS = [programme_store.COLLECTION, series_store.COLLECTION,
                      session_store.COLLECTION, roster_store.COLLECTION,
                      attendance_log_store.COLLECTION, certificate_store.COLLECTION]

# Field indexes serve MongoDB; hot paths read by `_id` (see common/persistence).
FIELDS = {
    programme_store.COLLECTION: (),
    series_store.COLLECTION: ("programme_id",),
    session_store.COLLECTION: ("starts_at", "series_id", "programme_id"),
    facilitator_store.COLLECTION: ("family_name",),
    roster_store.COLLECTION: ("session_id", "series_id", "participant_id"),
    certificate_store.COLLECTION: ("course.id", "participant_id"),
}


def ensure_indexes(runtime: Runtime) -> None:
    for collection, names in FIELDS.items():
        for name in names:
            runtime.db[collection].create_index(name)
    for collection in OUTBOX_COLLECTIONS:
        runtime.db[collection].create_index("outbox_pending")
