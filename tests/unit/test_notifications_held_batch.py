"""What a batch's handlers hold back is kept until it is written: a handler that writes the
batch's notifications first and fails is retried, and nothing it held is lost."""

import uuid
from datetime import UTC, datetime

import mongomock
from pymongo.errors import BulkWriteError, OperationFailure

from common.config import load_notification_settings
from common.dispatch import Dispatcher, ProcessedEvents
from common.envelope import new_event
from common.topics import REGISTRATION_EVENTS
from services.notifications.handlers import build_registry
from services.notifications.indexes import ensure_indexes
from services.notifications.stores import notification_store, recipient_store
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


def _updated(participant_id: str, language: str):
    return new_event("registration.participant.updated", participant_id,
                     {"participant_id": participant_id, "preferred_language": language},
                     "registration")


def _recipient(runtime, participant_id: str) -> dict | None:
    return runtime.db[recipient_store.COLLECTION].find_one({"_id": participant_id})


def test_an_officer_registered_for_the_record_is_a_recipient_without_an_acknowledgement():
    runtime = FakeRuntime("notifications", indexes=ensure_indexes)
    quiet, told = str(uuid.uuid4()), str(uuid.uuid4())
    for_the_record = new_event("registration.participant.registered", quiet,
                               {"participant_id": quiet, "preferred_language": "ur",
                                "acknowledge": False}, "registration")

    outcomes = _dispatch(runtime, for_the_record, _registered(told))

    assert [o.action for o in outcomes] == ["handled", "handled"]
    assert _recipient(runtime, quiet)["language"] == "ur"
    assert _acknowledged(runtime, quiet) == []
    assert len(_acknowledged(runtime, told)) == 1


def test_a_batch_of_registrations_and_updates_projects_each_officer_as_her_latest_event():
    runtime = FakeRuntime("notifications", indexes=ensure_indexes)
    ids = [str(uuid.uuid4()) for _ in range(5)]

    _dispatch(runtime, *[_registered(i) for i in ids], _updated(ids[2], "ur"))

    assert [_recipient(runtime, i)["language"] for i in ids] == ["en", "en", "ur", "en", "en"]
    assert all(_recipient(runtime, i)["erased"] is False for i in ids)


def test_recipients_held_when_their_write_fails_are_written_when_the_handler_is_retried(
        monkeypatch):
    """The erasure's handler writes the batch's recipients first; that write failing once and
    the handler retried, the officer registered before it is still a recipient, and the
    erased one is scrubbed."""
    runtime = FakeRuntime("notifications", indexes=ensure_indexes)
    kept, erased = str(uuid.uuid4()), str(uuid.uuid4())
    failures = _failing_once(monkeypatch, "bulk_write", recipient_store.COLLECTION)

    outcomes = _dispatch(runtime, _registered(kept), _registered(erased), _erased(erased))

    assert failures and [o.action for o in outcomes] == ["handled"] * 3
    assert _recipient(runtime, kept)["erased"] is False
    assert _recipient(runtime, erased)["erased"] is True
    [acknowledgement] = _acknowledged(runtime, kept)
    assert acknowledgement["status"] == "pending"


def test_a_registration_replayed_after_her_erasure_leaves_her_erased():
    runtime = FakeRuntime("notifications", indexes=ensure_indexes)
    participant_id = str(uuid.uuid4())
    registered = _registered(participant_id)
    _dispatch(runtime, registered, _erased(participant_id))

    _dispatch(runtime, _updated(participant_id, "ur"))

    recipient = _recipient(runtime, participant_id)
    assert recipient["erased"] is True and recipient.get("email") is None


def test_a_registration_delivered_again_in_a_later_batch_acknowledges_her_once():
    runtime = FakeRuntime("notifications", indexes=ensure_indexes)
    participant_id = str(uuid.uuid4())
    registered = _registered(participant_id)
    _dispatch(runtime, registered)

    outcomes = _dispatch(runtime, registered, _updated(participant_id, "ur"))

    assert [o.action for o in outcomes] == ["handled", "handled"]
    assert len(_acknowledged(runtime, participant_id)) == 1
    assert _recipient(runtime, participant_id)["language"] == "ur"


def test_an_officer_whose_upsert_lost_to_another_writer_is_still_projected(monkeypatch):
    """FerretDB answers E11000 to an upsert whose insert another writer won: the batch's other
    officers are written, and she is written again as an update."""
    runtime = FakeRuntime("notifications", indexes=ensure_indexes)
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    real = mongomock.Collection.bulk_write

    def losing_the_first(collection, requests, **options):
        if collection.name != recipient_store.COLLECTION:
            return real(collection, requests, **options)
        real(collection, requests[1:], **options)
        raise BulkWriteError({"writeErrors": [{"index": 0, "code": 11000}]})

    monkeypatch.setattr(mongomock.Collection, "bulk_write", losing_the_first)

    outcomes = _dispatch(runtime, _registered(first), _registered(second))

    assert [o.action for o in outcomes] == ["handled", "handled"]
    assert _recipient(runtime, first)["language"] == "en"
    assert _recipient(runtime, second)["language"] == "en"
