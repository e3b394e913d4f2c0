"""The sessions page and a session's creation, measured apart from `make bench` at two sizes:
database commands and bytes per page and per create (exact: pymongo command monitoring in this
process), then the page's latency and the creates' rate against the sessions API in gunicorn
with 2 workers (timed: noisy, give `uptime`).

    source <your ports file>; python -m devstack infra up
    GLO_ACT_ENV=development .venv/bin/python -m bench.session_writes [SIZES...]

Seeds each size (default 2000 20000) as the bench does, a series' schedule of 50 drafts per
request (`POST /series/{id}/sessions`), here through the app in this process.
"""

import os
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

TAG = uuid.uuid4().hex[:8]
STACK = f"slprobe{TAG}"
os.environ.setdefault("GLO_ACT_ENV", "development")
os.environ.update({"STACK_NAME": STACK, "TOPIC_PREFIX": f"{STACK}.", "LOG_LEVEL": "WARNING"})

import bson  # noqa: E402
import requests  # noqa: E402
from pymongo import monitoring  # noqa: E402

SCHEDULE = 50


class Counting(monitoring.CommandListener):
    """Commands, bytes sent and bytes received, by this process's clients."""

    def __init__(self):
        self.counts: Counter = Counter()
        self.lock = threading.Lock()

    def started(self, event):
        if event.command_name not in ("hello", "isMaster", "ismaster", "ping", "endSessions"):
            with self.lock:
                self.counts[event.command_name] += 1
                self.counts["bytes sent"] += len(bson.encode(event.command))

    def succeeded(self, event):
        if event.command_name not in ("hello", "isMaster", "ismaster", "ping", "endSessions"):
            with self.lock:
                self.counts["bytes received"] += len(bson.encode(event.reply))

    def failed(self, event):
        pass

    def take(self, n: int = 1) -> dict:
        with self.lock:
            taken, self.counts = self.counts, Counter()
        sent, received = taken.pop("bytes sent", 0), taken.pop("bytes received", 0)
        return {"commands": round(sum(taken.values()) / n, 2),
                "kb_sent": round(sent / n / 1024, 1), "kb_received": round(received / n / 1024, 1),
                "by_command": {k: round(v / n, 2) for k, v in taken.items()}}


LISTENER = Counting()
monitoring.register(LISTENER)

from bench import fixtures  # noqa: E402
from common.auth import mint  # noqa: E402
from common.config import load, service_port  # noqa: E402
from common.mongo import client  # noqa: E402
from common.runtime import Runtime  # noqa: E402
from common.topics import SESSIONS_EVENTS  # noqa: E402
from devstack.services import api_command  # noqa: E402
from services.sessions.app import create_app  # noqa: E402
from services.sessions.indexes import ensure_indexes  # noqa: E402


def draft(n: int, **more) -> dict:
    n %= 27 * 1440
    return {"kind": "coaching_session", "title": f"Probe session {n}",
            # A minute apart, as the bench seeds them.
            "starts_at": f"2031-05-{1 + n // 1440:02d}T{n // 60 % 24:02d}:{n % 60:02d}+05:00",
            "ends_at": f"2031-05-{2 + n // 1440:02d}T{n // 60 % 24:02d}:{n % 60:02d}+05:00",
            "timezone": "Asia/Karachi", "city": "Lahore", "country": "Pakistan",
            "capacity": 30, "draft": True, **more}


def seed(test, headers, programme_id: str, first: int, count: int) -> float:
    began = time.monotonic()

    def schedule(start: int):
        series = test.post("/series", headers=headers, json={
            "programme_id": programme_id, "planned_sessions": SCHEDULE,
            "title": f"Probe series {start}"})
        assert series.status_code == 201, series.get_data(as_text=True)[:300]
        answer = test.post(f"/series/{series.json['id']}/sessions", headers=headers, json={
            "sessions": [draft(n) for n in range(start, min(start + SCHEDULE, first + count))]})
        assert answer.status_code < 300, answer.get_data(as_text=True)[:300]

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(schedule, range(first, first + count, SCHEDULE)))
    return time.monotonic() - began


def _database_pid(uri: str) -> int | None:
    """FerretDB's process serving ``uri`` (its CPU time is the database's share of a request,
    much less disturbed by a loaded machine than a latency)."""
    listen = uri.split("//", 1)[1].split("/", 1)[0]
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if f"--listen-addr={listen}" in cmdline.read_bytes().decode(errors="replace"):
                return int(cmdline.parent.name)
        except OSError:
            continue
    return None


def _measured(work, n: int, database: int | None) -> dict:
    """Commands and bytes of ``n`` calls of ``work``, and CPU ms each here and in FerretDB."""
    LISTENER.take()
    here, there = time.process_time(), fixtures.cpu_seconds(database)
    for i in range(n):
        work(i)
    here, there = time.process_time() - here, fixtures.cpu_seconds(database) - there
    return {**LISTENER.take(n), "cpu_ms_here": round(here / n * 1000, 2),
            "cpu_ms_database": round(there / n * 1000, 2)}


def per_page(test, headers, query: str, database: int | None, pages: int = 50) -> dict:
    test.get(f"/sessions?{query}", headers=headers)

    def one(_):
        assert test.get(f"/sessions?{query}", headers=headers).status_code == 200

    return _measured(one, pages, database)


def per_create(test, headers, database: int | None, n: int = 20, **more) -> dict:
    def one(i):
        answer = test.post("/sessions", headers=headers, json=draft(30_000 + i, **more))
        assert answer.status_code == 201, answer.get_data(as_text=True)[:300]

    return _measured(one, n, database)


def main(argv) -> None:
    sizes = [int(a) for a in argv] or [2000, 20000]
    settings = load("sessions")
    from common.topics import catalogue
    from devstack import infra
    infra.ensure_topics(settings.kafka_bootstrap, list(catalogue(f"{STACK}.")))
    runtime = Runtime(settings, SESSIONS_EVENTS, indexes=ensure_indexes)
    test = create_app(runtime).test_client()
    token = mint(settings.jwt_secret, "probe", ["coordinator"], 3600, settings.jwt_audience,
                 settings.jwt_issuer)
    headers = {"Authorization": f"Bearer {token}"}
    programme = test.post("/programmes", headers=headers, json={
        "name": "Probe programme", "donors": ["European Union"], "countries": ["Pakistan"],
        "period": {"starts_on": "2030-01-01", "ends_on": "2035-12-31"}}).json
    port = service_port("sessions") + 76  # beside the ports file's API
    api = subprocess.Popen(api_command("sessions", port, 2), start_new_session=True,
                           env=dict(os.environ))
    url = f"http://127.0.0.1:{port}"
    seeded, database = 0, _database_pid(settings.mongo_uri)
    try:
        print("load:", open("/proc/loadavg").read().strip())
        for _ in range(60):
            try:
                requests.get(f"{url}/health/live", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.5)
        for size in sizes:
            seconds = seed(test, headers, programme["id"], seeded, size - seeded)
            print(f"seeded {size - seeded} sessions in {seconds:.1f}s "
                  f"({(size - seeded) / seconds:.0f}/s)")
            seeded = size
            print(f"size {size}: first page:", per_page(test, headers, "page_size=20", database))
            print(f"size {size}: page 50:", per_page(test, headers, "page=50&page_size=20",
                                                     database))
            print(f"size {size}: a programme's drafts:", per_page(
                test, headers, f"programme_id={programme['id']}&status=draft&page_size=20",
                database))
            print(f"size {size}: pages 61-90, each once:", _measured(
                lambda i: test.get(f"/sessions?page={61 + i}&page_size=20", headers=headers),
                30, database))
            print(f"size {size}: create a draft:", per_create(test, headers, database))
            seeded += 20
            page = f"{url}/sessions?page_size=20"
            fixtures.timed(page, headers, 2, 2)  # warm both API processes
            print(f"size {size}: first page, 2 clients:", fixtures.timed(page, headers, 2, 5))
            made = fixtures.timed(f"{url}/sessions", headers, 8, 5,
                         lambda k, n: draft(40_000 + k * 1000 + n))
            seeded += sum(made["statuses"].values())
            print(f"size {size}: create a draft, 8 clients:", made)
        print("load:", open("/proc/loadavg").read().strip())
    finally:
        api.terminate()
        api.wait(30)
        client(settings.mongo_uri).drop_database(settings.database)


if __name__ == "__main__":
    main(sys.argv[1:])
