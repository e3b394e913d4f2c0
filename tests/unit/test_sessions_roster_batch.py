"""The roster projection over a poll's batch: its enrollment decisions are written together after
it, and end as if applied one by one (ended is final, an erased officer stays out, a repeat
changes nothing)."""

from datetime import UTC, datetime

import mongomock
from pymongo import UpdateOne
from pymongo.errors import NetworkTimeout, OperationFailure

from common.dispatch import Dispatcher, ProcessedEvents
from common.envelope import new_event
from services.sessions import handlers
from services.sessions.indexes import ensure_indexes
from services.sessions.stores import roster_store
from tests.fakes import FakeRuntime

TOPIC = "it.registration.events"
OWN = "it.sessions.events"


def _worker():
    runtime = FakeRuntime("sessions", indexes=ensure_indexes)
    dispatcher = Dispatcher(handlers.build_registry(runtime, TOPIC, OWN),
                            ProcessedEvents(runtime.db["processed_events"]), max_attempts=2,
                            sleep=lambda _: None)
    return runtime, lambda *events: dispatcher.dispatch_batch(
        [(TOPIC, event.to_bytes()) for event in events])


def _enrollment(kind, n, session_id="s1", participant=None, **extra):
    data = {"enrollment_id": f"e{n}", "participant_id": participant or f"p{n}",
            "session_id": session_id, "series_id": "series-1", **extra}
    if kind in ("confirmed", "promoted"):
        data = {"gender": "female", "agency": "Punjab Police", **data}
    return new_event(f"registration.enrollment.{kind}", f"e{n}", data, "registration")


def _erased(participant_id):
    return new_event("registration.participant.erased", participant_id,
                     {"participant_id": participant_id}, "registration")


def _on_roster(runtime, session_id="s1"):
    session = {"_id": session_id, "series_id": "series-1", "timezone": "Asia/Karachi",
               "starts_at": datetime(2021, 3, 25, 4, tzinfo=UTC),
               "ends_at": datetime(2021, 3, 26, 12, tzinfo=UTC)}
    return set(roster_store.active(runtime, session))


def _named(runtime, participant_id):
    """Whether any roster or enrollment document still names the officer."""
    rosters = [entry["participant_id"] for roster in runtime.db[roster_store.ROSTERS].find()
               for entry in roster.get("entries", {}).values()]
    return (participant_id in rosters
            or runtime.db[roster_store.COLLECTION].count_documents(
                {"participant_id": participant_id}) > 0)


def test_a_batch_of_confirmations_makes_each_sessions_roster():
    runtime, dispatch = _worker()
    outcomes = dispatch(_enrollment("confirmed", 1), _enrollment("promoted", 2, gender=None),
                        _enrollment("confirmed", 3, "s2"))
    assert [o.action for o in outcomes] == ["handled"] * 3
    assert _on_roster(runtime) == {"p1", "p2"}
    assert _on_roster(runtime, "s2") == {"p3"}
    assert runtime.db[roster_store.COLLECTION].find_one({"_id": "e2"})["gender"] == "not_stated"


def test_a_confirmation_then_a_withdrawal_in_one_batch_ends_withdrawn():
    runtime, dispatch = _worker()
    dispatch(_enrollment("confirmed", 1), _enrollment("confirmed", 2),
             _enrollment("withdrawn", 1), _enrollment("confirmed", 1))  # a late repeat: ended
    assert _on_roster(runtime) == {"p2"}
    assert runtime.db[roster_store.COLLECTION].find_one({"_id": "e1"})["status"] == "withdrawn"


def test_a_confirmation_seen_again_in_a_later_batch_neither_revives_nor_duplicates():
    runtime, dispatch = _worker()
    confirmed = _enrollment("confirmed", 1)
    dispatch(confirmed, _enrollment("confirmed", 2))
    dispatch(_enrollment("cancelled", 1), _enrollment("confirmed", 2))
    dispatch(confirmed)  # redelivered: its id is not asked, the ended enrollment stays ended
    assert _on_roster(runtime) == {"p2"}
    assert runtime.db[roster_store.COLLECTION].count_documents({}) == 2


def test_an_erasure_in_a_batch_unlinks_the_enrollments_held_before_it_and_keeps_out_later_ones():
    runtime, dispatch = _worker()
    dispatch(_enrollment("confirmed", 1), _erased("p1"),
             _enrollment("confirmed", 9, "s2", participant="p1"), _enrollment("confirmed", 2))
    assert not _named(runtime, "p1")
    assert runtime.db[roster_store.COLLECTION].find_one({"_id": "e1"})[
        "participant_id"].startswith("erased-")
    assert runtime.db[roster_store.COLLECTION].find_one({"_id": "e9"}) is None
    assert len(_on_roster(runtime)) == 2  # still counted, under a pseudonym


def test_the_end_of_an_enrollment_never_seen_does_not_bring_an_erased_officer_back():
    """Her waitlisted enrollment cancelled after her erasure (with the session, say): sessions
    never saw it, and the old projection stored it, and listed it, under her id."""
    runtime, dispatch = _worker()
    dispatch(_enrollment("confirmed", 1))
    dispatch(_erased("p1"))
    dispatch(_enrollment("cancelled", 9, participant="p1", reason="session cancelled"))
    assert not _named(runtime, "p1")


def test_an_erased_officers_enrollment_already_unlinked_can_still_end():
    runtime, dispatch = _worker()
    dispatch(_enrollment("confirmed", 1), _enrollment("confirmed", 2))
    dispatch(_erased("p1"), _enrollment("withdrawn", 1))
    assert _on_roster(runtime) == {"p2"}
    assert runtime.db[roster_store.COLLECTION].find_one({"_id": "e1"})["status"] == "withdrawn"
    assert not _named(runtime, "p1")


def test_enrollments_held_when_a_write_fails_are_written_when_the_handler_is_retried(
        monkeypatch):
    """The erasure's handler writes the batch's enrollments first; its write failing once and
    the handler retried, the confirmation held before it is still written."""
    runtime, dispatch = _worker()
    real, failures = mongomock.Collection.update_one, []

    def failing_once(collection, *args, **options):
        if collection.name == roster_store.ROSTERS and not failures:
            failures.append(1)
            raise OperationFailure("write failed")
        return real(collection, *args, **options)

    monkeypatch.setattr(mongomock.Collection, "update_one", failing_once)
    outcomes = dispatch(_enrollment("confirmed", 1), _erased("p2"))
    assert failures and [o.action for o in outcomes] == ["handled", "handled"]
    assert _on_roster(runtime) == {"p1"}


def test_a_batch_over_many_sessions_rewrites_each_roster_in_a_command_of_its_own(monkeypatch):
    """A roster document is rewritten whole on FerretDB: one command for all the rosters a
    batch touches (40 of 450 officers, 2 MB) outlasted the 10 s socket timeout under load, was
    retried whole, and the sessions database stopped answering (reschedules got 503)."""
    runtime, dispatch = _worker()
    commands: list[int] = []
    real_bulk, real_update = mongomock.Collection.bulk_write, mongomock.Collection.update_one

    def bulk(collection, requests, **options):
        if collection.name == roster_store.ROSTERS:
            commands.append(len(requests))
        return real_bulk(collection, requests, **options)

    def update(collection, *args, **options):
        if collection.name == roster_store.ROSTERS:
            commands.append(1)
        return real_update(collection, *args, **options)

    monkeypatch.setattr(mongomock.Collection, "bulk_write", bulk)
    monkeypatch.setattr(mongomock.Collection, "update_one", update)
    dispatch(*[_enrollment("confirmed", n, f"s{n % 5}") for n in range(20)])
    assert commands == [1] * 5
    assert all(len(_on_roster(runtime, f"s{k}")) == 4 for k in range(5))


def test_a_poll_of_100_ends_of_stored_enrollments_is_written_in_commands_ferretdb_answers(
        monkeypatch):
    """FerretDB 1.24 keeps one of a database's 100 SQLite connections per update of a command
    that matched a document, until the command ends: an update command of 100 such updates
    never returns, and the database answers no one until FerretDB is restarted. A session of
    500 cancelled brought polls of 100 cancellations of stored enrollments: the worker retried
    the first every 22 s and the API's reschedules got 503. The fake answers as FerretDB does."""
    runtime, dispatch = _worker()
    real_bulk = mongomock.Collection.bulk_write

    def bulk(collection, requests, **options):
        matched = sum(1 for r in requests if isinstance(r, UpdateOne)
                      and collection.find_one(r._filter, {"_id": 1}) is not None)
        if matched >= 100:
            raise NetworkTimeout("127.0.0.1:27017: timed out")
        return real_bulk(collection, requests, **options)

    monkeypatch.setattr(mongomock.Collection, "bulk_write", bulk)
    assert {o.action for o in dispatch(*[_enrollment("confirmed", n) for n in range(100)])} == {
        "handled"}
    ended = dispatch(*[_enrollment("cancelled", n, reason="session cancelled")
                       for n in range(100)])
    assert {o.action for o in ended} == {"handled"}
    assert _on_roster(runtime) == set()
    assert runtime.db[roster_store.COLLECTION].count_documents({"status": "cancelled"}) == 100
