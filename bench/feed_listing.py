"""The notifications feed at a size: seeds notifications straight through the store (as the
worker's consumer stores them, in batches), then times and counts the database commands of
one feed page: unfiltered, by recipient, by session, by status, and the summary; each also
"cold" (in a process that has read nothing yet, see `forget`).

    .venv/bin/python -m bench.feed_listing mongodb://127.0.0.1:27017/ 20000
    .venv/bin/python -m bench.feed_listing mongodb://127.0.0.1:27017/ 20000 --http

With ``--http`` the seeded database is served as the bench serves it (gunicorn, 2 workers, on
NOTIFICATIONS_PORT; GLO_ACT_ENV=development) and the unfiltered page is loaded by 2 clients for
5 s (`bench.loadgen`), as `bench.sizes` measures it in `make bench`.
Run it against older code with PYTHONPATH pointing at that tree (what a tree lacks is skipped).
"""

import os
import statistics
import subprocess
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
    try:  # as the service starts: its indexes and one-off marks first, on an empty database
        from services.notifications.indexes import ensure_indexes
        ensure_indexes(runtime)
    except ImportError:
        pass
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


def forget() -> None:
    """What this process remembers of streams and notifications, forgotten (a cold reader)."""
    for module in ("stream_store", "shown_notifications"):
        try:
            __import__(f"services.notifications.stores.{module}", fromlist=["forget"]).forget()
        except (ImportError, AttributeError):
            pass


def measure(runtime, counter: Counter, name: str, call, repeat: int = 15,
            cold: bool = False) -> None:
    if not cold:
        call()  # once, so that what a first read seals is not counted against every read
    times, counts = [], []
    for _ in range(repeat):
        if cold:
            forget()
        before, began = counter.count, time.perf_counter()
        call()
        times.append((time.perf_counter() - began) * 1000)
        counts.append(counter.count - before)
    times.sort()
    name += " (cold)" if cold else ""
    print(f"{name:32} p50 {statistics.median(times):8.1f} ms  p95 "
          f"{times[int(len(times) * 0.95) - 1]:8.1f} ms  commands {statistics.median(counts):5.0f}",
          flush=True)


def served(uri: str, size: int) -> None:
    """The unfiltered page over HTTP, as `make bench` loads it."""
    from bench import loadgen
    from common.auth import mint
    from common.config import load, service_port
    from devstack.services import api_command
    stack = f"feedhttp{uuid.uuid4().hex[:6]}"
    env = {**os.environ, "STACK_NAME": stack, "MONGO_URI": uri, "LOG_LEVEL": "WARNING"}
    os.environ.update(env)
    settings, mongo = load("notifications"), MongoClient(uri, tz_aware=True)
    try:
        seed(SimpleNamespace(db=mongo[settings.database]), size)
        port = service_port("notifications")
        process = subprocess.Popen(api_command("notifications", port, 2), env=env,
                                   start_new_session=True)
        try:
            _wait_live(f"http://127.0.0.1:{port}")
            token = mint(settings.jwt_secret, "bench", ["coordinator"])
            for _ in range(2):
                found = loadgen.run(f"http://127.0.0.1:{port}/notifications?page_size=20",
                                    headers={"Authorization": f"Bearer {token}"}, clients=2,
                                    seconds=5)
                print(f"HTTP page, 2 clients, 5 s: {found['requests']} requests, p50 "
                      f"{found['p50_ms']:.1f} ms, p95 {found['p95_ms']:.1f} ms, p99 "
                      f"{found['p99_ms']:.1f} ms, statuses {found['statuses']}", flush=True)
        finally:
            os.killpg(process.pid, 15)
            process.wait()
    finally:
        mongo.drop_database(settings.database)


def _wait_live(url: str) -> None:
    import requests
    for _ in range(150):
        try:
            if requests.get(f"{url}/health/live", timeout=1).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not start")


def main(argv: list[str]) -> int:
    uri, size = argv[0], int(argv[1]) if len(argv) > 1 else 20000
    if "--http" in argv:
        served(uri, size)
        return 0
    counter = Counter()
    mongo = MongoClient(uri, event_listeners=[counter], tz_aware=True)
    name = f"feedbench{uuid.uuid4().hex[:6]}"
    runtime = SimpleNamespace(db=mongo[name])
    try:
        recipient, session = seed(runtime, size)
        page = lambda **f: notification_store.listing(runtime, f, 0, 20)  # noqa: E731
        repeat = 3 if size > 5000 and not hasattr(notification_store, "feed_page") else 15
        measure(runtime, counter, "unfiltered page", page, repeat, cold=True)
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
