"""Every index notifications relies on, and the collections whose outbox the relay drains."""

from common.runtime import Runtime
from services.notifications.stores import enrollment_store, notification_store

OUTBOX_COLLECTIONS = [notification_store.COLLECTION]


def ensure_indexes(runtime: Runtime) -> None:
    notification_store.ensure_indexes(runtime)
    enrollment_store.ensure_indexes(runtime)
