"""What the measured requests need: officers, sessions known to registration, a roster."""

import os
import socket
import statistics
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from common.auth import mint
from common.config import load
from common.mongo import client


def cpu_seconds(pid: int | None) -> float:
    """User and system CPU seconds the process has used so far (0 if it is gone or unknown)."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """The processes ``pid`` started (a gunicorn master's workers)."""
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def timed(url, headers, clients, seconds, body=None) -> dict:
    """``clients`` threads GET ``url`` (POST ``body(k, n)`` if given) for ``seconds``: rate,
    statuses, p50/p95 (a probe's own small load generator; `make bench` uses bench.loadgen)."""
    latencies, statuses, stop = [], Counter(), time.monotonic() + seconds

    def run(k):
        http = requests.Session()
        n = 0
        while time.monotonic() < stop:
            began = time.monotonic()
            if body:
                answer = http.post(url, json=body(k, n), headers=headers, timeout=60)
            else:
                answer = http.get(url, headers=headers, timeout=60)
            latencies.append(time.monotonic() - began)
            statuses[answer.status_code] += 1
            n += 1

    threads = [threading.Thread(target=run, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ms = sorted(x * 1000 for x in latencies)
    return {"per_second": round(len(ms) / seconds, 1), "statuses": dict(statuses),
            "p50_ms": round(statistics.median(ms), 1), "p95_ms": round(ms[int(len(ms) * .95)], 1)}


def stack_cpu(stack) -> dict[str, float]:
    """CPU seconds used so far by each part of the stack: every service process with the
    workers it started (gunicorn's), FerretDB and Kafka (the load generator is not counted)."""
    from devstack import infra
    used: dict[str, float] = {}
    for process in stack.processes:
        pid = process.popen.pid
        used[process.name] = sum(cpu_seconds(p) for p in (pid, *children(pid)))
    for name in ("ferretdb", "kafka"):
        try:
            used[name] = cpu_seconds(int((infra.state_dir() / "run" / f"{name}.pid").read_text()))
        except (OSError, ValueError):
            pass
    return used


def cpu_per_request(before: dict[str, float], after: dict[str, float], requests: int) -> dict:
    """CPU milliseconds per request, by part of the stack (parts under 0.05 ms left out) and
    in all: on 2 cores the stack cannot serve more than 2,000 / all requests a second."""
    spent = {name: (after.get(name, 0.0) - used) * 1000 / max(requests, 1)
             for name, used in before.items()}
    shown = {name: round(ms, 2) for name, ms in sorted(spent.items(), key=lambda kv: -kv[1])
             if ms >= 0.05}
    return {"all": round(sum(spent.values()), 2), **shown}


def coordinator_headers() -> dict:
    """A coordinator's bearer token for an hour, signed with the bench stack's secrets."""
    settings = load("bench")
    token = mint(settings.jwt_secret, "bench", ["coordinator"], 3600, settings.jwt_audience,
                 settings.jwt_issuer)
    return {"Authorization": f"Bearer {token}"}


def drop_databases(mongo_uri: str, name: str) -> None:
    """Drop every database a measured stack named ``name`` made."""
    for db in client(mongo_uri).list_database_names():
        if db.startswith(f"{name}_"):
            client(mongo_uri).drop_database(db)


class Client:
    def __init__(self, url: str, headers: dict):
        self.url, self.headers = url, headers

    def __call__(self, method: str, path: str, **kwargs):
        for attempt in range(4):  # a loaded stack answers 503 when its database times out
            response = requests.request(method, f"{self.url}{path}", headers=self.headers,
                                        timeout=60, **kwargs)
            if response.status_code != 503:
                break
            time.sleep(2 * (attempt + 1))
        if response.status_code >= 300:
            raise RuntimeError(f"bench set-up: {method} {path} -> {response.status_code} "
                               f"{response.text[:300]}")
        return response.json()


def wait(what: str, check, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"bench set-up: {what} not done within {timeout_s:.0f}s")
        time.sleep(0.3)


def officers(registration: Client, count: int, tag: str) -> list[dict]:
    """Register ``count`` officers; returns their id and email."""
    def one(n: int) -> dict:
        email = f"bench.{tag}.{n}@example.org"
        created = registration("POST", "/participants", json={
            "given_name": "Bench", "family_name": f"Officer {n}", "gender": "female",
            "agency": "Federal Investigation Agency" if n % 4 else "Punjab Police",
            "email": email,
            "consent": {"policy_version": "2021-01", "given_at": "2021-03-01T09:00:00Z"}})
        return {"id": created["id"], "email": email}

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(one, range(count)))


def sessions(sessions_api: Client, registration: Client, count: int, tag: str,
             started: bool = False) -> list[dict]:
    """Schedule ``count`` large sessions and wait until registration knows them all."""
    made = []
    for n in range(count):
        past = started  # a session under way must have begun
        made.append(sessions_api("POST", "/sessions", json={
            "kind": "coaching_session", "title": f"Bench {tag} session {n} {uuid.uuid4().hex[:4]}",
            "starts_at": "2021-03-25T09:00:00+05:00" if past else "2031-03-25T09:00:00+05:00",
            "ends_at": "2031-03-26T17:00:00+05:00", "timezone": "Asia/Karachi",
            "city": "Islamabad", "country": "Pakistan", "capacity": 10000}))
    for session in made:
        wait("registration learning of the sessions", lambda s=session: requests.get(
            f"{registration.url}/sessions/{s['id']}", headers=registration.headers,
            timeout=10).status_code == 200)
    return made


def free_port() -> int:
    """A port nobody listens on now (the services' and the bare Flask baseline's)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
