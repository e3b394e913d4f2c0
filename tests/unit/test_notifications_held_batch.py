"""What a batch's handlers hold back is kept until it is written: a handler that writes the
batch's notifications first and fails is retried, and nothing it held is lost."""

import uuid
from datetime import UTC, datetime

import mongomock
from pymongo.errors import OperationFailure

from common.config import load_notification_settings
from common.dispatch import Dispatcher, ProcessedEvents
from common.envelope import new_event
from common.topics import REGISTRATION_EVENTS
from services.notifications.handlers import build_registry
from services.notifications.indexes import ensure_indexes
from services.notifications.stores import notification_store
from tests.fakes import FakeRuntime

NOW = datetime(2031, 6, 1, 8, 0, tzinfo=UTC)


def _registered(participant_id: str):
    return new_event("registration.participant.registered", participant_id,
                     {"participant_id": participant_id, "preferred_language": "en"},
                     "registration")


def _erased(participant_id: str):
    return new_event("registration.participant.erased", participant_id,
                     {"participant_id": participant_id}, "registration")


def _failing_once(monkeypatch, method: str, collection_name: str) -> list[int]:
    """``method`` of mongomock's collections fails once on ``collection_name``."""
    real, failures = getattr(mongomock.Collection, method), []

    def failing(collection, *args, **options):
        if collection.name == collection_name and not failures:
            failures.append(1)
            raise OperationFailure("write failed")
        return real(collection, *args, **options)

    monkeypatch.setattr(mongomock.Collection, method, failing)
    return failures


def _acknowledged(runtime, participant_id: str) -> list[dict]:
    return list(runtime.db[notification_store.COLLECTION].find(
        {"recipient_id": participant_id, "kind": "registration_acknowledged"}))


def _dispatch(runtime, *events):
    dispatcher = Dispatcher(build_registry(runtime, load_notification_settings(), lambda: NOW),
                            ProcessedEvents(runtime.db["processed_events"]), max_attempts=2,
                            sleep=lambda _: None)
    return dispatcher.dispatch_batch([(REGISTRATION_EVENTS, e.to_bytes()) for e in events])


def test_notifications_held_when_their_insert_fails_are_stored_when_the_handler_is_retried(
        monkeypatch):
    """The erasure's handler inserts the batch's notifications first; the insert failing once
    and the handler retried, the acknowledgement held before it is still stored, once."""
    runtime = FakeRuntime("notifications", indexes=ensure_indexes)
    kept, erased = str(uuid.uuid4()), str(uuid.uuid4())
    failures = _failing_once(monkeypatch, "insert_many", notification_store.COLLECTION)

    outcomes = _dispatch(runtime, _registered(kept), _erased(erased))

    assert failures and [o.action for o in outcomes] == ["handled", "handled"]
    [acknowledgement] = _acknowledged(runtime, kept)
    assert acknowledgement["status"] == "pending"


def test_notifications_whose_numbering_fails_are_numbered_when_the_handler_is_retried(
        monkeypatch):
    """The numbering in the feed (and the hours the sweep reads) failing once inside a handler
    that flushes first, the retried handler numbers them: the feed and the sweep find them."""
    runtime = FakeRuntime("notifications", indexes=ensure_indexes)
    kept, erased = str(uuid.uuid4()), str(uuid.uuid4())
    failures = _failing_once(monkeypatch, "insert_many", "feed_entries")

    outcomes = _dispatch(runtime, _registered(kept), _erased(erased))

    assert failures and [o.action for o in outcomes] == ["handled", "handled"]
    [acknowledgement] = _acknowledged(runtime, kept)
    assert [n["_id"] for n in notification_store.of_stream(runtime, "recipient_id", kept)] == \
        [acknowledgement["_id"]]
