"""A batch that fails as a whole (its flush, the database gone) is not committed: its events are
redelivered, maybe to another worker after a rebalance, which records them and what followed.
What the failed batch held must not be written later over those newer decisions."""

import uuid

import mongomock
from pymongo.errors import AutoReconnect

from common.dispatch import DependencyUnavailableError
from services.notifications.indexes import ensure_indexes
from services.notifications.stores import enrollment_store, recipient_store
from tests.fakes import FakeRuntime
from tests.unit.test_notifications_enrollment_batch import (
    _batch,
    _decision,
    _dispatcher,
    _enrollment,
    _scheduled,
)
from tests.unit.test_notifications_held_batch import _registered, _updated


def _failing(monkeypatch, method: str, collection_name: str) -> list[int]:
    """``method`` fails on ``collection_name`` (the database gone) until the list is cleared."""
    real, failing = getattr(mongomock.Collection, method), [1]

    def maybe_failing(collection, *args, **options):
        if collection.name == collection_name and failing:
            raise AutoReconnect("connection lost")
        return real(collection, *args, **options)

    monkeypatch.setattr(mongomock.Collection, method, maybe_failing)
    return failing


def _fails(dispatcher, *events) -> bool:
    try:
        _batch(dispatcher, *events)
    except DependencyUnavailableError:
        return True
    return False


def test_a_failed_batchs_enrollment_decision_is_not_written_over_a_newer_one(monkeypatch):
    runtime = FakeRuntime("notifications", indexes=ensure_indexes)
    first, second = _dispatcher(runtime), _dispatcher(runtime)  # two workers
    session_id = _scheduled(first)
    enrollment = _enrollment(session_id)
    confirmed, withdrawn = _decision("confirmed", enrollment, 1), _decision("withdrawn",
                                                                           enrollment, 2)
    failing = _failing(monkeypatch, "bulk_write", enrollment_store.COLLECTION)
    assert _fails(first, confirmed)  # its flush fails: not committed
    failing.clear()

    # The partition moved to the second worker: the confirmation again, then the withdrawal.
    assert _batch(second, confirmed, withdrawn) == ["handled", "handled"]
    # The first worker's next batch, of other partitions.
    assert _batch(first, _decision("confirmed", _enrollment(session_id), 1)) == ["handled"]

    stored = runtime.db[enrollment_store.COLLECTION].find_one(
        {"_id": enrollment["enrollment_id"]})
    assert (stored["status"], stored["sequence"]) == ("withdrawn", 2)
    assert enrollment["participant_id"] not in enrollment_store.enrolled_in_session(
        runtime, session_id)


def test_a_failed_batchs_projection_of_an_officer_is_not_written_over_a_newer_one(monkeypatch):
    runtime = FakeRuntime("notifications", indexes=ensure_indexes)
    first, second = _dispatcher(runtime), _dispatcher(runtime)
    officer = str(uuid.uuid4())
    failing = _failing(monkeypatch, "bulk_write", recipient_store.COLLECTION)
    assert _fails(first, _registered(officer))
    failing.clear()

    assert _batch(second, _registered(officer), _updated(officer, "ur")) == ["handled"] * 2
    assert _batch(first, _registered(str(uuid.uuid4()))) == ["handled"]

    assert runtime.db[recipient_store.COLLECTION].find_one({"_id": officer})["language"] == "ur"
