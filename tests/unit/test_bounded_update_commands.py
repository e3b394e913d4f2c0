"""No update command grows with a batch: FerretDB 1.24 never answers an update command of 100
updates that match documents (each holds one of the database's 100 SQLite connections until
the command ends), and that database then answers no one until FerretDB is restarted. The
fake answers as FerretDB does, and records each command's size."""

import uuid
from datetime import UTC, datetime

import mongomock
import pytest
from pymongo import ReplaceOne, UpdateOne
from pymongo.errors import NetworkTimeout

from common.config import load_notification_settings
from common.dispatch import Dispatcher, ProcessedEvents
from common.envelope import new_event
from common.persistence import by_id
from common.topics import REGISTRATION_EVENTS
from services.notifications.handlers import build_registry
from services.notifications.indexes import ensure_indexes
from services.notifications.stores import claim_store, recipient_store
from services.notifications.stores import notification_store as notifications
from tests.fakes import FakeRuntime

BATCH = 150


@pytest.fixture
def sizes(monkeypatch) -> list[int]:
    real, seen = mongomock.Collection.bulk_write, []

    def bulk(collection, requests, **options):
        requests = list(requests)
        matched = sum(1 for r in requests if isinstance(r, UpdateOne | ReplaceOne)
                      and collection.find_one(r._filter, {"_id": 1}) is not None)
        seen.append(len(requests))
        if matched >= 100:
            raise NetworkTimeout("127.0.0.1:27017: timed out")
        return real(collection, requests, **options)

    monkeypatch.setattr(mongomock.Collection, "bulk_write", bulk)
    return seen


def test_a_bulk_of_any_size_is_written_in_commands_ferretdb_answers(sizes):
    marks = mongomock.MongoClient().db.marks
    marks.insert_many([{"_id": n} for n in range(BATCH)])
    by_id.bulk(marks, [UpdateOne({"_id": n}, {"$set": {"seen": True}}) for n in range(BATCH)])
    assert marks.count_documents({"seen": True}) == BATCH
    assert max(sizes) <= by_id.UPDATES_PER_COMMAND


def test_a_poll_of_updates_of_known_officers_is_projected_in_commands_ferretdb_answers(sizes):
    runtime = FakeRuntime("notifications", indexes=ensure_indexes)
    officers = [str(uuid.uuid4()) for _ in range(BATCH)]
    dispatcher = Dispatcher(build_registry(runtime, load_notification_settings(),
                                           lambda: datetime(2031, 6, 1, tzinfo=UTC)),
                            ProcessedEvents(runtime.db["processed_events"]), max_attempts=1,
                            sleep=lambda _: None)

    def poll(kind: str):
        return dispatcher.dispatch_batch([(REGISTRATION_EVENTS, new_event(
            f"registration.participant.{kind}", o, {"participant_id": o,
                                                     "preferred_language": "ur"},
            "registration").to_bytes()) for o in officers])

    assert {o.action for o in poll("registered")} == {"handled"}
    assert {o.action for o in poll("updated")} == {"handled"}
    assert runtime.db[recipient_store.COLLECTION].count_documents({"language": "ur"}) == BATCH
    assert max(sizes) <= by_id.UPDATES_PER_COMMAND


def test_a_stopping_worker_releases_what_it_claimed_in_commands_ferretdb_answers(sizes):
    runtime = FakeRuntime("notifications", indexes=ensure_indexes)
    born = [{"_id": str(uuid.uuid4()), "cause_event_id": str(n), "recipient_id": "officer",
             "kind": "enrollment_confirmed", "status": "sending", "claim_token": "t"}
            for n in range(BATCH)]
    runtime.db[notifications.COLLECTION].insert_many(born)
    claim_store.release(runtime, born)
    assert runtime.db[notifications.COLLECTION].count_documents({"status": "pending"}) == BATCH
    assert max(sizes) <= by_id.UPDATES_PER_COMMAND
