"""The notifications feed at a size: seeds notifications straight through the store (as the
worker's consumer stores them, in batches), then times and counts the database commands of
one feed page: unfiltered, by recipient, by session, by status, and the summary.

    .venv/bin/python -m bench.feed_listing mongodb://127.0.0.1:27017/ 20000

Run it against older code with PYTHONPATH pointing at that tree (what a tree lacks is skipped).
"""

import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from pymongo import MongoClient, monitoring

from services.notifications.domain import notification_rules as rules
from services.notifications.stores import notification_store

BATCH = 100
STATUSES = ("sent",) * 17 + ("pending", "scheduled", "failed")


class Counter(monitoring.CommandListener):
    def __init__(self):
        self.count = 0

    def started(self, event):
        if event.command_name not in ("hello", "isMaster", "ping", "endSessions"):
            self.count += 1

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


def seed(runtime, size: int) -> tuple[str, str]:
    recipients = [str(uuid.uuid4()) for _ in range(max(1, size // 8))]
    sessions = [str(uuid.uuid4()) for _ in range(max(1, size // 40))]
    now, began = datetime(2026, 11, 1, tzinfo=UTC), time.monotonic()
    for start in range(0, size, BATCH):
        cause = SimpleNamespace(id=str(uuid.uuid4()), type="bench.seeded",
                                correlationid=str(uuid.uuid4()))
        documents = []
        for n in range(start, min(size, start + BATCH)):
            status = STATUSES[n % len(STATUSES)]
            documents.append(rules.document(
                cause, recipients[n % len(recipients)], f"kind{n % 7}", status=status,
                now=now + timedelta(seconds=n), session_id=sessions[n % len(sessions)],
                due_at=now + timedelta(seconds=n)))
        notification_store.create_many(runtime, documents)
    print(f"seeded {size} in {time.monotonic() - began:.0f} s", flush=True)
    return recipients[0], sessions[0]


def measure(runtime, counter: Counter, name: str, call, repeat: int = 15) -> None:
    call()  # once, so that what a first read seals is not counted against every read
    times, counts = [], []
    for _ in range(repeat):
        before, began = counter.count, time.perf_counter()
        call()
        times.append((time.perf_counter() - began) * 1000)
        counts.append(counter.count - before)
    times.sort()
    print(f"{name:32} p50 {statistics.median(times):8.1f} ms  p95 "
          f"{times[int(len(times) * 0.95) - 1]:8.1f} ms  commands {statistics.median(counts):5.0f}",
          flush=True)


def main(argv: list[str]) -> int:
    uri, size = argv[0], int(argv[1]) if len(argv) > 1 else 20000
    counter = Counter()
    mongo = MongoClient(uri, event_listeners=[counter], tz_aware=True)
    name = f"feedbench{uuid.uuid4().hex[:6]}"
    runtime = SimpleNamespace(db=mongo[name])
    try:
        recipient, session = seed(runtime, size)
        page = lambda **f: notification_store.listing(runtime, f, 0, 20)  # noqa: E731
        repeat = 3 if size > 5000 and not hasattr(notification_store, "feed_page") else 15
        measure(runtime, counter, "unfiltered page", page, repeat)
        measure(runtime, counter, "by recipient", lambda: page(recipient_id=recipient))
        measure(runtime, counter, "by session", lambda: page(session_id=session))
        measure(runtime, counter, "by status=pending", lambda: page(status="pending"), repeat)
        if hasattr(notification_store, "summary"):
            measure(runtime, counter, "summary of the newest 500",
                    lambda: notification_store.summary(runtime, 500))
        print(f"total (unfiltered): {page()[1]}")
    finally:
        mongo.drop_database(name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
