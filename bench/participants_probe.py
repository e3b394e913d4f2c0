"""Participants' costs, measured apart from `make bench`: database commands per create, per page
and per imported officer (exact, by pymongo command monitoring in this process), and create
throughput with 8 clients against registration's API in gunicorn with 2 workers (timed: noisy).

    source <your ports file>; python -m devstack infra up
    GLO_ACT_ENV=development .venv/bin/python -m bench.participants_probe [SIZES...]

Seeds each size (default 2000 20000) through the store (or the bulk import when the API has
it), then times the first page of `GET /participants` (2 clients, p50/p95).
"""

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

os.environ.setdefault("GLO_ACT_ENV", "development")

import requests  # noqa: E402
from pymongo import monitoring  # noqa: E402


class Counting(monitoring.CommandListener):
    def __init__(self):
        self.counts: Counter = Counter()
        self.lock = threading.Lock()

    def started(self, event):
        if event.command_name not in ("hello", "isMaster", "ismaster", "ping", "endSessions"):
            with self.lock:
                self.counts[event.command_name] += 1

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass

    def take(self) -> Counter:
        with self.lock:
            taken, self.counts = self.counts, Counter()
        return taken


LISTENER = Counting()
monitoring.register(LISTENER)

from bench import commands, fixtures  # noqa: E402
from common.auth import mint  # noqa: E402
from common.config import load  # noqa: E402
from common.mongo import client  # noqa: E402
from common.runtime import Runtime  # noqa: E402
from common.topics import REGISTRATION_EVENTS  # noqa: E402
from devstack.services import api_command  # noqa: E402
from services.registration.app import create_app  # noqa: E402
from services.registration.indexes import ensure_indexes  # noqa: E402
from services.registration.stores import participant_store  # noqa: E402


def officer(tag: str, n: int) -> dict:
    return {"given_name": "Probe", "family_name": f"Officer {n}",
            "gender": "female" if n % 3 else "male",
            "agency": "Federal Investigation Agency" if n % 4 else "Punjab Police",
            "email": f"probe.{tag}.{n}@example.org",
            "consent": {"policy_version": "2021-01", "given_at": "2021-03-01T09:00:00Z"}}


def _settled(seconds: float = 1.5) -> None:
    time.sleep(seconds)  # the outbox publisher's background writes land in this window


def commands_per_create(test, headers, tag, n=50) -> dict:
    LISTENER.take()
    for i in range(n):
        assert test.post("/participants", json=officer(tag, 10_000_000 + i),
                         headers=headers).status_code == 201
    in_request = LISTENER.take()
    _settled()
    after = LISTENER.take()
    return {"in_request": round(sum(in_request.values()) / n, 2),
            "with_publishing": round((sum(in_request.values()) + sum(after.values())) / n, 2),
            "by_command": dict(in_request)}


def raw_inserts(runtime, seconds=3.0) -> str:
    collection, count, stop = runtime.db["probe_raw"], 0, time.monotonic() + seconds
    while time.monotonic() < stop:
        collection.insert_one({"n": count, "pad": "x" * 300})
        count += 1
    collection.drop()
    return f"{count / seconds:.0f}/s"


def commands_per_page(test, headers, pages=10) -> dict:
    test.get("/participants?page=1&page_size=20", headers=headers)  # this process's caches
    LISTENER.take()
    for _ in range(pages):
        assert test.get("/participants?page=1&page_size=20", headers=headers).status_code == 200
    taken = LISTENER.take()
    LISTENER.take()
    deep = test.get("/participants?page=7&page_size=20", headers=headers)  # never read before
    cold = LISTENER.take()
    assert deep.status_code == 200
    return {"first_page_warm": round(sum(taken.values()) / pages, 2),
            "a_page_never_read": sum(cold.values()), "by_command": dict(taken)}


def seed(runtime, test, headers, tag, first, count) -> float:
    began = time.monotonic()
    rules = {r.rule for r in test.application.url_map.iter_rules()}
    if "/participants/imports" in rules:
        for start in range(first, first + count, 200):
            rows = [officer(tag, n) for n in range(start, min(start + 200, first + count))]
            answer = test.post("/participants/imports", json={"officers": rows},
                               headers=headers)
            assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    else:
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda n: participant_store.register(runtime, {
                **officer(tag, n), "preferred_language": "en"}), range(first, first + count)))
    return time.monotonic() - began


def _by_command(directory: Path) -> Counter:
    found: Counter = Counter()
    for path in directory.glob("*.json"):
        try:
            found.update(json.loads(path.read_text()))
        except ValueError:
            pass
    return found


def main(argv) -> None:
    sizes = [] if argv == ["create"] else [int(a) for a in argv] or [2000, 20000]
    tag = uuid.uuid4().hex[:8]
    stack = f"probe{tag}"
    os.environ.update({"STACK_NAME": stack, "TOPIC_PREFIX": f"{stack}.", "LOG_LEVEL": "WARNING"})
    settings = load("registration")
    from common.topics import catalogue
    from devstack import infra
    infra.ensure_topics(settings.kafka_bootstrap, list(catalogue(f"{stack}.")))
    runtime = Runtime(settings, REGISTRATION_EVENTS, indexes=ensure_indexes)
    test = create_app(runtime).test_client()
    token = mint(settings.jwt_secret, "probe", ["coordinator"], 3600, settings.jwt_audience,
                 settings.jwt_issuer)
    headers = {"Authorization": f"Bearer {token}"}
    port = 21000 + 77
    counted = Path(tempfile.mkdtemp(prefix="probe-commands-"))
    api = subprocess.Popen(api_command("registration", port, 2), start_new_session=True,
                           env={**os.environ, **commands.env(counted)})
    url = f"http://127.0.0.1:{port}"
    try:
        print("load:", open("/proc/loadavg").read().strip())
        print("raw insert_one, 1 thread:", raw_inserts(runtime))
        print("commands per create:", commands_per_create(test, headers, tag))
        for _ in range(60):
            try:
                requests.get(f"{url}/health/live", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.5)
        time.sleep(1)
        before = commands.total(counted), _by_command(counted)
        run = infra.state_dir() / "run"
        cpu_pids = {**{p: "api-worker" for p in fixtures.children(api.pid)},
                    int((run / "ferretdb.pid").read_text()): "ferretdb",
                    int((run / "kafka.pid").read_text()): "kafka", os.getpid(): "clients"}
        cpu_before = {p: fixtures.cpu_seconds(p) for p in cpu_pids}
        created = fixtures.timed(f"{url}/participants", headers, 8, 10,
                        lambda k, n: officer(tag, 20_000_000 + k * 100_000 + n))
        made = created["statuses"].get(201, 0)
        cpu: Counter = Counter()
        for pid, name in cpu_pids.items():
            cpu[name] += (fixtures.cpu_seconds(pid) - cpu_before[pid]) * 1000 / max(made, 1)
        created["cpu_ms_per_create"] = {n: round(v, 2) for n, v in cpu.items()}
        created["cpu_ms_per_create"]["all"] = round(sum(cpu.values()), 2)
        _settled()
        created["commands_per_create"] = round((commands.total(counted) - before[0]) / made, 2)
        created["by_command"] = dict(_by_command(counted) - before[1])
        print("create, 8 clients, 2 workers:", created)
        seeded = 0
        for size in sizes:
            LISTENER.take()
            seconds = seed(runtime, test, headers, tag, seeded, size - seeded)
            _settled()
            used = sum(LISTENER.take().values())
            print(f"seeded {size - seeded} in {seconds:.1f}s, "
                  f"{used / (size - seeded):.2f} commands per officer")
            seeded = size
            print(f"size {size}: commands per page:", commands_per_page(test, headers))
            page = f"{url}/participants?page=1&page_size=20"
            fixtures.timed(page, headers, 2, 3)  # each API process finds where the lists end
            print(f"size {size}: first page, 2 clients:", fixtures.timed(page, headers, 2, 5))
        print("load:", open("/proc/loadavg").read().strip())
    finally:
        api.terminate()
        api.wait(30)
        client(settings.mongo_uri).drop_database(settings.database)


if __name__ == "__main__":
    main(sys.argv[1:])
