"""The relays sweep whole only when something was left behind (`common.outbox_processes`).

Counted on a mongomock database (tests/fakes.py patches it): how many times a relay read an
outbox collection whole (`find`), which is seconds of FerretDB's CPU at the large size.
"""

import uuid
from datetime import UTC, datetime, timedelta

import mongomock

from common import outbox, outbox_processes, outbox_relay
from common.envelope import new_event
from tests.conftest import wait_for
from tests.fakes import CountingReads

TOPIC = "notifications.events"


class CountingScans(CountingReads):
    """An outbox collection that also counts its whole reads (`find`)."""

    def __init__(self, collection):
        super().__init__(collection)
        self.scans = 0

    def find(self, *args, **kwargs):
        self.scans += 1
        return self.collection.find(*args, **kwargs)


class Producer:
    def __init__(self):
        self.sent: list[str] = []

    def publish(self, topic, events, timeout_s=10.0):
        self.sent += [e.id for e in events]
        return [e.id for e in events]


def _database():
    client = mongomock.MongoClient(tz_aware=True)
    return client[f"unit_outbox_{uuid.uuid4().hex[:12]}"]


def _event(n: int):
    return new_event("notifications.notification.sent", f"n-{n}", {"n": n}, "notifications")


def _write(publisher, collection, n: int, publish: bool = True) -> str:
    """A process's outbox write as `Runtime.insert` makes it: registered first."""
    publisher.register(collection.database)
    event = _event(n)
    collection.insert_one(outbox.on_insert({"_id": f"n-{n}"}, TOPIC, [event]))
    if publish:
        publisher.publish_soon(collection, collection.find_one({"_id": f"n-{n}"})["outbox"],
                               fresh_ids=[event.id])
        publisher.drain()
    return event.id


def _relay(collection, producer=None):
    return outbox_relay.OutboxRelay([collection], producer or Producer(), grace_s=0, quiet_s=600)


def _later(database, seconds: float) -> None:
    """As if ``seconds`` passed (and nobody beat since): every stored time moves back."""
    registry = database[outbox_processes.PROCESSES]
    for entry in registry.find({}):
        field = "beat" if "beat" in entry else "before"
        registry.update_one({"_id": entry["_id"]},
                            {"$set": {field: entry[field] - timedelta(seconds=seconds)}})
    for collection in database.list_collection_names():
        for document in database[collection].find({"outbox": {"$exists": True}}):
            aged = [{**e, "staged_at": e["staged_at"] - timedelta(seconds=seconds)}
                    for e in document["outbox"]]
            database[collection].update_one({"_id": document["_id"]}, {"$set": {"outbox": aged}})


def _swept_once() -> CountingScans:
    """An outbox collection whose relays completed a sweep (stored), counted from then on."""
    collection = _database()["notifications"]
    _relay(collection).run_once()
    return CountingScans(collection)


def test_a_second_worker_starting_makes_no_relay_read_the_outbox_collections():
    collection = _swept_once()
    first, second = outbox.Publisher(Producer()), outbox.Publisher(Producer())
    _write(first, collection, 1)
    running = _relay(collection)
    running.run_once()
    _write(second, collection, 2)  # a newcomer's first publish
    running.run_once()
    _relay(collection).run_once()  # the newcomer's own relay, at its start
    assert collection.scans == 0


def test_a_restarted_relay_does_not_sweep_what_a_relay_already_swept():
    collection = CountingScans(_database()["notifications"])
    assert _relay(collection).run_once() is True  # no relay of this database ever swept
    assert collection.scans == 1
    assert _relay(collection).run_once() is False  # restarted: the sweep is stored
    assert collection.scans == 1


def test_a_process_that_wrote_and_died_has_its_events_published_by_a_sweep():
    collection = _swept_once()
    dead = outbox.Publisher(Producer())
    event_id = _write(dead.processes, collection, 1, publish=False)  # killed -9 after the write
    producer = Producer()
    relay = _relay(collection, producer)
    assert relay.run_once() is False  # it may still be alive: its beat is fresh
    _later(collection.database, 60)  # it missed its beats
    assert relay.run_once() is True
    assert producer.sent == [event_id]
    assert relay.run_once() is False  # its death is covered by the completed sweep
    assert collection.scans == 1


def test_a_process_that_stopped_clean_causes_no_sweep():
    collection = _swept_once()
    publisher = outbox.Publisher(Producer())
    _write(publisher, collection, 1)
    publisher.close()
    _later(collection.database, 3600)
    assert _relay(collection).run_once() is False
    assert collection.scans == 0


def test_a_process_restarted_with_the_same_host_and_pid_does_not_hide_its_predecessors_crash():
    collection = _swept_once()
    crashed = outbox.Publisher(Producer())
    event_id = _write(crashed.processes, collection, 1, publish=False)
    _later(collection.database, 60)
    restarted = outbox.Publisher(Producer())  # same host, same pid, in its container
    _write(restarted, collection, 2)
    producer = Producer()
    assert _relay(collection, producer).run_once() is True
    assert event_id in producer.sent


def test_a_process_writing_to_a_database_registers_once_and_asks_for_no_sweep():
    database = _database()
    collection = database["notifications"]
    publisher = outbox.Publisher(Producer())
    for n in range(3):
        _write(publisher, collection, n)
    [entry] = database[outbox_processes.PROCESSES].find({})
    assert entry["_id"].count(":") == 2  # host, pid and a random part
    assert list(database[outbox_processes.DUE].find({})) == []


class Unrecorded:
    """A marker collection that refuses inserts (the database went away after the publish)."""

    def __init__(self, collection):
        self.collection = collection

    def __getattr__(self, name):
        return getattr(self.collection, name)

    def insert_many(self, *args, **kwargs):
        raise RuntimeError("database unavailable")


class DatabaseLosingMarkers:
    def __init__(self, database):
        self.database, self.name = database, database.name

    def __getitem__(self, name):
        found = self.database[name]
        return Unrecorded(found) if name == outbox.MARKERS else found


def test_acknowledgements_not_recorded_ask_the_relays_to_sweep():
    database = _database()
    collection = CountingReads(database["notifications"])
    publisher = outbox.Publisher(Producer())
    _write(publisher, collection, 1)
    database[outbox_processes.DUE].delete_many({})
    collection.database = DatabaseLosingMarkers(database)
    _write(publisher, collection, 2)
    assert list(database[outbox_processes.DUE].find({}))


def test_a_process_whose_beats_lapsed_registers_again_before_it_writes():
    database = _database()
    registration = outbox_processes.Registration(beat_s=10)
    registration.register(database)
    _later(database, 600)
    registration.register(database)  # beats current: nothing written
    [entry] = database[outbox_processes.PROCESSES].find({})
    assert entry["beat"] < datetime.now(UTC) - timedelta(seconds=500)
    registration._beats = {name: (db, at - 600) for name, (db, at) in
                           registration._beats.items()}  # its thread stalled ten minutes
    registration.register(database)
    [entry] = database[outbox_processes.PROCESSES].find({})
    assert entry["beat"] > datetime.now(UTC) - timedelta(seconds=60)


def test_a_registered_process_beats_while_it_has_nothing_to_publish():
    database = _database()
    publisher = outbox.Publisher(Producer(), beat_s=0.05)
    publisher.register(database)
    [first] = database[outbox_processes.PROCESSES].find({})
    wait_for(lambda: database[outbox_processes.PROCESSES].find_one()["beat"] > first["beat"])


class Unanswering:
    """A database (of the same name) that answers no write: an ask for a sweep fails."""

    def __init__(self, name):
        self.name = name

    def __getitem__(self, collection):
        return self

    def update_one(self, *args, **kwargs):
        raise RuntimeError("database unavailable")


def test_a_process_whose_ask_for_a_sweep_failed_does_not_stop_clean():
    collection = _swept_once()
    publisher = outbox.Publisher(Producer())
    _write(publisher, collection, 1)
    outbox_processes.ask_for_sweep(Unanswering(collection.database.name))
    publisher.close()
    _later(collection.database, 60)
    assert _relay(collection).run_once() is True  # its entry went stale: the relays sweep


def test_entries_of_processes_gone_long_ago_are_forgotten_once_a_sweep_covered_them():
    collection = _swept_once()
    gone = outbox_processes.Registration(beat_s=10)
    gone.register(collection.database)
    _later(collection.database, 7200)
    relay = _relay(collection)
    assert relay.run_once() is True  # it died: a sweep covers it
    assert relay.run_once() is False
    assert list(collection.database[outbox_processes.PROCESSES].find(
        {"beat": {"$exists": True}})) == []
