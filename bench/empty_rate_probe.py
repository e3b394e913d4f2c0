"""`python -m bench.empty_rate_probe [outboxes] [duty ...]`: what the outbox relay's emptying
costs a request that runs beside it, paced and not.

    GLO_ACT_ENV=development .venv/bin/python -m bench.empty_rate_probe 6000 1 0.25

For each duty, a database of its own gets ``outboxes`` (6,000: about what the bench's large
seeding leaves for the minute after it) officers' documents written and acknowledged in
batches of 40 (the log of acknowledgements, markers and all, as the publisher leaves them);
then the relay's work is timed while a reader, as a request would, reads one document by `_id`
after another. Prints, per duty: outboxes emptied a second, the pass's seconds, and the
reader's reads a second and p50/p95/p99 ms (the reader alone first, for comparison).
Starts the infrastructure if needed (FerretDB is what is measured).
"""

import json
import statistics
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

from pymongo import MongoClient

from common import outbox, outbox_acknowledged, outbox_relay, pacing
from common.envelope import new_event
from devstack import infra

OUTBOXES = int(sys.argv[1]) if len(sys.argv) > 1 else 6000
DUTIES = [float(d) for d in sys.argv[2:]] or [1.0, pacing.DUTY]
BATCH = 40


class _Acknowledging:
    def publish(self, topic, events, timeout_s=10.0):
        return [e.id for e in events]


def _seed(database) -> None:
    for start in range(0, OUTBOXES, BATCH):
        documents = []
        for n in range(start, min(OUTBOXES, start + BATCH)):
            event = new_event("registration.participant.registered", f"p-{n}", {"n": n},
                              "registration")
            documents.append(outbox.on_insert({"_id": f"p-{n}", "name": "x" * 400},
                                              "probe.events", [event]))
        database["participants"].insert_many(documents)
        outbox.Publisher(_Acknowledging()).publish_batch([outbox._Written(
            database["participants"], d["outbox"], [d["outbox"][0]["id"]], d["_id"])
            for d in documents])


def _reader(database, stop: threading.Event, timings: list[float]) -> None:
    n = 0
    while not stop.is_set():
        began = time.perf_counter()
        database["participants"].find_one({"_id": f"p-{n % OUTBOXES}"})
        timings.append((time.perf_counter() - began) * 1000)
        n += 7


def _reads(timings: list[float], seconds: float) -> dict:
    timings = sorted(timings)
    at = lambda q: round(timings[min(len(timings) - 1, int(q * len(timings)))], 2)  # noqa: E731
    return {"reads_per_s": round(len(timings) / seconds), "p50_ms": round(
        statistics.median(timings), 2), "p95_ms": at(0.95), "p99_ms": at(0.99)}


def _measure(client, duty: float) -> dict:
    database = client[f"pace_{uuid.uuid4().hex[:8]}"]
    try:
        _seed(database)
        relay = outbox_relay.OutboxRelay([database["participants"]], _Acknowledging(),
                                         duty=duty)
        stop, timings = threading.Event(), []
        reader = threading.Thread(target=_reader, args=(database, stop, timings))
        reader.start()
        time.sleep(3)
        alone, timings[:] = list(timings), []
        began = time.perf_counter()
        emptied = outbox_acknowledged.empty_acknowledged(
            relay, datetime.now(UTC) + timedelta(seconds=80), pacing.Pacer(duty))
        took = time.perf_counter() - began
        stop.set()
        reader.join()
        return {"duty": duty, "emptied": emptied, "pass_s": round(took, 1),
                "emptied_per_s": round(emptied / took), "reader_alone": _reads(alone, 3),
                "reader_during": _reads(timings, took)}
    finally:
        client.drop_database(database.name)


def main() -> int:
    local = infra.up()
    client = MongoClient(local.mongo_uri, tz_aware=True)
    for duty in DUTIES:
        print(json.dumps(_measure(client, duty)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
