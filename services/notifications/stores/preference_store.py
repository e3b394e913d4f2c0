"""A recipient's preferences, kept on her recipient document (a profile update leaves them)."""

from common.persistence import by_id
from common.runtime import Runtime
from services.notifications.domain import preference_rules
from services.notifications.stores import recipient_store


def of(runtime: Runtime, recipient_id: str) -> dict:
    """Her preferences, defaults filled in; NotFoundError if no such recipient."""
    return preference_rules.of(recipient_store.found(runtime, recipient_id))


def change(runtime: Runtime, recipient_id: str, reminders: dict[str, bool]) -> dict:
    """Switch some channels' reminders on or off; NotFoundError if no such recipient."""
    recipient_store.found(runtime, recipient_id)
    changes = preference_rules.changes(reminders)
    if changes:
        by_id.set_fields(runtime.db[recipient_store.COLLECTION], recipient_id, changes)
    return of(runtime, recipient_id)
