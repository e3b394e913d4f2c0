"""The relay's sweep at the large size: 17,000 imported officers' outboxes, emptied once quiet.

It cost three round trips an officer (read, update, delete of her markers) and held every
outbox, event bodies and all, until the sweep ended."""

from datetime import timedelta

from common import outbox, outbox_relay
from common.envelope import new_event
from common.persistence import by_id

TOPIC = "registration.events"


class Markers:
    def __init__(self, ids):
        self.ids, self.commands = set(ids), 0

    def find(self, query, projection=None):
        self.commands += 1
        return [{"_id": i} for i in query["_id"]["$in"] if i in self.ids]

    def find_one(self, query, projection=None):
        self.commands += 1
        return {"_id": query["_id"]} if query["_id"] in self.ids else None

    def bulk_write(self, requests, ordered=True):
        self.commands += 1
        self.ids -= {r._filter["_id"] for r in requests}


class Database(dict):
    name = "registration"

    def __missing__(self, name):
        raise KeyError(name)


class Aggregates:
    """Many officers' documents, each with an acknowledged outbox staged long ago."""

    def __init__(self, count: int, age_s: float = 600):
        self.documents = {}
        for n in range(count):
            event = new_event("registration.participant.registered", f"p-{n}",
                              {"given_name": "Amina"}, "registration")
            document = outbox.on_insert({"_id": f"p-{n}"}, TOPIC, [event])
            for entry in document["outbox"]:
                entry["staged_at"] -= timedelta(seconds=age_s)
            self.documents[f"p-{n}"] = document
        ids = [e["id"] for d in self.documents.values() for e in d["outbox"]]
        self.database = Database({outbox.MARKERS: Markers(ids)})
        self.commands = 0

    def find(self, query, projection=None):
        self.commands += 1
        return [d for d in self.documents.values() if d.get("outbox_pending")]

    def find_one(self, query, projection=None):
        self.commands += 1
        return self.documents.get(query["_id"])

    def update_one(self, query, update):
        self.commands += 1
        self.documents[query["_id"]].update(update["$set"])
        return Updated()

    def bulk_write(self, requests, ordered=True):
        self.commands += 1
        assert len(requests) <= by_id.UPDATES_PER_COMMAND  # FerretDB 1.24 answers those
        for request in requests:
            self.documents[request._filter["_id"]].update(request._doc["$set"])


class Updated:
    modified_count = 1


class Producer:
    def publish(self, topic, events, timeout_s=10.0):
        raise AssertionError("every event was acknowledged already")


def test_a_sweep_empties_many_quiet_outboxes_in_few_writes():
    officers = Aggregates(200)
    outbox_relay.OutboxRelay([officers], Producer(), grace_s=5, quiet_s=60).sweep()

    assert all(d["outbox"] == [] and d["outbox_pending"] is False
               for d in officers.documents.values())
    assert officers.database[outbox.MARKERS].ids == set()
    # a scan, a read each to see the outbox unchanged, and the writes a few to a command
    assert officers.commands <= 1 + 200 + 200 / by_id.UPDATES_PER_COMMAND
    assert officers.database[outbox.MARKERS].commands <= 1 + 200 / by_id.UPDATES_PER_COMMAND


def test_an_outbox_written_again_since_the_scan_is_left_for_the_next_sweep():
    officers = Aggregates(3)
    scanned = officers.find

    def scan_then_write(query, projection=None):
        found = [dict(d) for d in scanned(query, projection)]
        officers.documents["p-1"] = {**officers.documents["p-1"],
                                     "outbox": [*officers.documents["p-1"]["outbox"],
                                                {"id": "new", "staged_at": None}]}
        return found

    officers.find = scan_then_write
    outbox_relay.OutboxRelay([officers], Producer(), grace_s=5, quiet_s=60).sweep()
    assert officers.documents["p-0"]["outbox"] == []
    assert [e["id"] for e in officers.documents["p-1"]["outbox"]][-1] == "new"
    assert officers.documents["p-1"]["outbox_pending"] is True
