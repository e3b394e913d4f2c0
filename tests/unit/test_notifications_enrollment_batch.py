"""A batch's enrollment decisions are read together, decided in memory and written at its
flush: two of one enrollment in one batch see each other, and a flush that fails loses none."""

import uuid
from datetime import UTC, datetime, timedelta

import mongomock
import pytest
from pymongo.errors import OperationFailure

from common.config import load_notification_settings
from common.dispatch import Dispatcher, ProcessedEvents
from common.envelope import new_event
from common.topics import REGISTRATION_EVENTS, SESSIONS_EVENTS
from services.notifications.handlers import build_registry
from services.notifications.indexes import ensure_indexes
from services.notifications.stores import enrollment_store
from tests.fakes import FakeRuntime

NOW = datetime(2031, 6, 1, 8, 0, tzinfo=UTC)
STARTS = NOW + timedelta(days=30)


def _dispatcher(runtime) -> Dispatcher:
    return Dispatcher(build_registry(runtime, load_notification_settings(), lambda: NOW),
                      ProcessedEvents(runtime.db["processed_events"]), max_attempts=2,
                      sleep=lambda _: None)


def _scheduled(dispatcher) -> str:
    session_id = str(uuid.uuid4())
    event = new_event("sessions.session.scheduled", session_id, {
        "session_id": session_id, "series_id": None, "position": 1, "planned_sessions": 1,
        "kind": "coaching_session", "title": "Coaching", "starts_at": STARTS.isoformat(),
        "ends_at": (STARTS + timedelta(hours=8)).isoformat(), "timezone": "Asia/Karachi",
        "capacity": 24, "venue": "UNODC Country Office", "city": "Islamabad",
        "country": "Pakistan", "languages": ["en"]}, "sessions")
    assert dispatcher.dispatch(SESSIONS_EVENTS, event.to_bytes()).action == "handled"
    return session_id


def _decision(status: str, enrollment: dict, sequence: int):
    return new_event(f"registration.enrollment.{status}", enrollment["enrollment_id"],
                     {**enrollment, "sequence": sequence}, "registration")


def _enrollment(session_id: str) -> dict:
    return {"enrollment_id": str(uuid.uuid4()), "participant_id": str(uuid.uuid4()),
            "session_id": session_id, "series_id": None, "gender": "female",
            "agency": "Punjab Police"}


def _batch(dispatcher, *events):
    return [o.action for o in dispatcher.dispatch_batch(
        [(REGISTRATION_EVENTS, e.to_bytes()) for e in events])]


def _told(runtime, enrollment: dict) -> dict[str, str]:
    return {n["kind"]: n["status"] for n in runtime.db["notifications"].find(
        {"recipient_id": enrollment["participant_id"]})}


@pytest.fixture
def runtime(monkeypatch):
    monkeypatch.setenv("GLO_ACT_ENV", "development")
    return FakeRuntime("notifications", indexes=ensure_indexes)


def test_a_confirmation_and_its_withdrawal_in_one_batch_end_her_reminders_and_roster(runtime):
    dispatcher = _dispatcher(runtime)
    session_id = _scheduled(dispatcher)
    fatima = _enrollment(session_id)

    assert _batch(dispatcher, _decision("confirmed", fatima, 1),
                  _decision("withdrawn", fatima, 2)) == ["handled", "handled"]

    told = _told(runtime, fatima)
    assert told["enrollment_confirmed"] == "pending"
    assert told["enrollment_withdrawn"] == "pending"
    assert told["session_reminder_1d"] == told["session_reminder_7d"] == "cancelled"
    assert enrollment_store.enrolled_in_session(runtime, session_id) == []
    stored = runtime.db[enrollment_store.COLLECTION].find_one({"_id": fatima["enrollment_id"]})
    assert (stored["status"], stored["sequence"]) == ("withdrawn", 2)


def test_an_older_decision_after_a_newer_one_in_one_batch_is_not_told(runtime):
    dispatcher = _dispatcher(runtime)
    session_id = _scheduled(dispatcher)
    sana = _enrollment(session_id)

    _batch(dispatcher, _decision("promoted", sana, 3), _decision("waitlisted", sana, 2))

    assert set(_told(runtime, sana)) == {"enrollment_promoted", "session_reminder_1d",
                                         "session_reminder_7d"}
    assert enrollment_store.enrolled_in_session(runtime, session_id) == [sana["participant_id"]]
    stored = runtime.db[enrollment_store.COLLECTION].find_one({"_id": sana["enrollment_id"]})
    assert (stored["status"], stored["sequence"]) == ("promoted", 3)


def _failing_once(monkeypatch, collection_name: str) -> list[int]:
    real, failures = mongomock.Collection.bulk_write, []

    def failing(collection, *args, **options):
        if collection.name == collection_name and not failures:
            failures.append(1)
            raise OperationFailure("write failed")
        return real(collection, *args, **options)

    monkeypatch.setattr(mongomock.Collection, "bulk_write", failing)
    return failures


def test_a_batch_whose_enrollments_write_fails_is_stored_when_it_is_handled_again(
        runtime, monkeypatch):
    """The batch's flush fails on the enrollments' write: nothing is recorded as handled, and
    the batch redelivered to the same worker stores her enrollment, roster and notice, once."""
    dispatcher = _dispatcher(runtime)
    session_id = _scheduled(dispatcher)
    ayesha = _enrollment(session_id)
    confirmed = _decision("confirmed", ayesha, 1)
    failures = _failing_once(monkeypatch, enrollment_store.COLLECTION)

    with pytest.raises(OperationFailure):
        _batch(dispatcher, confirmed)
    assert failures
    assert _batch(dispatcher, confirmed) == ["handled"]

    stored = runtime.db[enrollment_store.COLLECTION].find_one({"_id": ayesha["enrollment_id"]})
    assert stored["status"] == "confirmed"
    assert enrollment_store.enrolled_in_session(runtime, session_id) == [ayesha["participant_id"]]
    assert runtime.db["notifications"].count_documents(
        {"recipient_id": ayesha["participant_id"], "kind": "enrollment_confirmed"}) == 1


def test_a_withdrawal_whose_flush_fails_is_retried_and_keeps_the_batch_confirmation(
        runtime, monkeypatch):
    """A withdrawal flushes first (it cancels reminders): that write failing once, the retried
    handler still finds the confirmation held before it, and both are written."""
    dispatcher = _dispatcher(runtime)
    session_id = _scheduled(dispatcher)
    kept, leaving = _enrollment(session_id), _enrollment(session_id)
    failures = _failing_once(monkeypatch, enrollment_store.COLLECTION)

    assert _batch(dispatcher, _decision("confirmed", kept, 1), _decision("confirmed", leaving, 1),
                  _decision("withdrawn", leaving, 2)) == ["handled"] * 3

    assert failures
    assert enrollment_store.enrolled_in_session(runtime, session_id) == [kept["participant_id"]]
    assert _told(runtime, kept)["enrollment_confirmed"] == "pending"
    assert _told(runtime, leaving)["enrollment_withdrawn"] == "pending"
    stored = runtime.db[enrollment_store.COLLECTION].find_one({"_id": leaving["enrollment_id"]})
    assert (stored["status"], stored["sequence"]) == ("withdrawn", 2)


def test_a_batch_whose_enrollments_cannot_be_read_together_is_handled_one_by_one(
        runtime, monkeypatch):
    """The reads before the handlers failing, each handler reads its enrollment itself."""
    dispatcher = _dispatcher(runtime)
    session_id = _scheduled(dispatcher)
    real, failures = mongomock.Collection.find_one, []

    def failing_once(collection, *args, **options):
        if collection.name == enrollment_store.COLLECTION and not failures:
            failures.append(1)
            raise OperationFailure("read failed")
        return real(collection, *args, **options)

    monkeypatch.setattr(mongomock.Collection, "find_one", failing_once)
    first, second = _enrollment(session_id), _enrollment(session_id)

    assert _batch(dispatcher, _decision("confirmed", first, 1),
                  _decision("confirmed", second, 1)) == ["handled"] * 2

    assert failures
    assert enrollment_store.enrolled_in_session(runtime, session_id) == sorted(
        [first["participant_id"], second["participant_id"]])


def test_held_enrollments_are_written_in_chunks_and_each_chunk_let_go_once_written(
        runtime, monkeypatch):
    """A chunk that fails stays held with those after it; the next write stores them all."""
    held = enrollment_store.HeldEnrollments()
    monkeypatch.setattr(held, "CHUNK", 2)
    for n in range(5):
        held.hold(f"e-{n}", {"participant_id": f"p-{n}", "session_id": "s", "series_id": None,
                             "status": "confirmed", "sequence": n, "decided_at": None})
    real, calls = mongomock.Collection.bulk_write, []

    def second_fails(collection, operations, *args, **options):
        calls.append(len(operations))
        if len(calls) == 2:
            raise OperationFailure("write failed")
        return real(collection, operations, *args, **options)

    monkeypatch.setattr(mongomock.Collection, "bulk_write", second_fails)
    with pytest.raises(OperationFailure):
        held.write(runtime)
    assert sorted(held.writes) == ["e-2", "e-3", "e-4"]
    held.write(runtime)

    assert calls == [2, 2, 2, 1] and held.writes == {}
    stored = runtime.db[enrollment_store.COLLECTION].find({}, {"sequence": 1})
    assert sorted(e["sequence"] for e in stored) == [0, 1, 2, 3, 4]
