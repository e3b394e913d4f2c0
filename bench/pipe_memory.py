"""The notifications worker's resident memory while it works through a backlog: officers
imported in bulk (each one's `participant.registered` event and acknowledgement email), as the
bench's seeding of the large size does.

    GLO_ACT_ENV=development .venv/bin/python -m bench.pipe_memory [officers] [--traced]
                                                                   # default 17000 officers
    GLO_ACT_ENV=development .venv/bin/python -m bench.pipe_memory 5000 --confirmations

Starts the infrastructure if it is not running (and leaves it running) and a stack of its own,
imports ``officers`` through `POST /participants/imports`, then samples the worker's resident
set (VmRSS) every second until its consumer lag is 0 and every acknowledgement reached the
SMTP sink; prints the worker's RSS before, its peak (VmHWM) and after, and how long it took.

With --confirmations, ``officers`` enrollment confirmations are published at once instead (50
officers, 4 sessions; as `bench.pipe_probe` drains them): a backlog whose events are cheaper to
plan than their emails are to send, where the worker's queue to its sending threads fills.

With --traced the worker runs under tracemalloc (slower) and, when the backlog is done, writes
where its live memory was allocated (the 25 largest sites, by file and line) to
``.local/pipe-memory-<stack>.txt``.
"""

import json
import os
import signal
import sys
import threading
import time
import uuid
from pathlib import Path

import requests

from bench import fixtures, scale, seeding
from common.backlog import consumer_lag
from common.topics import catalogue
from devstack import infra, services


def _memory_mb(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM (the peak) of ``pid``, in MB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = round(int(value.split()[0]) / 1024, 1)
    return found


def _traced_worker(out: str) -> None:
    """The notifications worker under tracemalloc; SIGUSR1 writes its largest allocation
    sites to ``out``."""
    import tracemalloc

    tracemalloc.start(4)

    def write(*_):
        def dump():
            top = tracemalloc.take_snapshot().statistics("lineno")[:25]
            Path(out).write_text("\n".join(str(s) for s in top) + "\n")
        threading.Thread(target=dump).start()

    signal.signal(signal.SIGUSR1, write)
    from services.notifications import worker
    worker.main()


def _confirmations(urls: dict, local, name: str, count: int, result: dict) -> dict:
    """50 officers and 4 sessions, then ``count`` confirmations published at once (in a
    thread that waits for their emails)."""
    headers = fixtures.coordinator_headers()
    registration = fixtures.Client(urls["registration"], headers)
    officers = fixtures.officers(registration, 50, name)
    loaded = fixtures.sessions(fixtures.Client(urls["sessions"], headers), registration, 4,
                               "memory")
    time.sleep(10)  # their acknowledgements sent
    result["before_confirmations"] = result["before"]
    threading.Thread(target=lambda: result.update(drained=scale.drain_rate(
        local.kafka_bootstrap, f"{name}.registration.events", local.smtp_http_url, officers,
        loaded, count, timeout_s=1500)), daemon=True).start()
    return {"made": count + len(officers)}


def main(argv: list[str]) -> int:
    if argv[:1] == ["--worker"]:
        _traced_worker(argv[1])
        return 0
    traced, confirmations = "--traced" in argv, "--confirmations" in argv
    argv = [a for a in argv if not a.startswith("--")]
    count = int(argv[0]) if argv else 17000
    local = infra.up()
    name = f"mem{uuid.uuid4().hex[:6]}"
    env = {**local.env(), "STACK_NAME": name, "TOPIC_PREFIX": f"{name}.", "LOG_LEVEL": "WARNING",
           "NOTIFICATION_SENDER_INTERVAL_SECONDS": "1"}
    infra.ensure_topics(local.kafka_bootstrap, list(catalogue(f"{name}.")))
    stack = services.start(env, {s: fixtures.free_port() for s in services.SERVICES},
                           infra.state_dir() / "memory-logs", api_workers=2)
    result: dict = {"officers": count, "load": os.getloadavg()}
    try:
        services.wait_ready(stack, timeout_s=90)
        process = next(p for p in stack.processes if p.name == "notifications-worker")
        trace = infra.state_dir() / f"pipe-memory-{name}.txt"
        if traced:
            os.killpg(process.popen.pid, signal.SIGTERM)
            process.popen.wait(timeout=30)
            process.command = [sys.executable, "-m", "bench.pipe_memory", "--worker", str(trace)]
            process.restart()
            time.sleep(5)
        worker = process.popen.pid
        time.sleep(3)
        result["before"] = _memory_mb(worker)
        inbox = f"{local.smtp_http_url}/messages"
        emails_before = len(requests.get(inbox, timeout=30).json())
        began = time.monotonic()
        if confirmations:
            result["import"] = _confirmations(stack.urls, local, name, count, result)
            began = time.monotonic()
        else:
            seeder = seeding.Seeder(stack.urls, fixtures.coordinator_headers(), name)
            result["import"] = seeder.add_participants(count, time.monotonic() + 900)
        topics = [f"{name}.registration.events", f"{name}.sessions.events"]
        group = f"{name}.notifications"
        samples, lag, emails = [], None, 0
        while time.monotonic() - began < 1800:
            samples.append(_memory_mb(worker)["VmRSS"])
            if len(samples) % 5 == 0:
                lag = sum(consumer_lag(local.kafka_bootstrap, group, topics).values())
                emails = len(requests.get(inbox, timeout=30).json()) - emails_before
                print(json.dumps({"s": round(time.monotonic() - began), "lag": lag,
                                  "emails": emails, "rss": samples[-1]}), flush=True)
                if lag == 0 and (result.get("drained") if confirmations
                                 else emails >= result["import"]["made"]):
                    break
            time.sleep(1)
        result.update(seconds=round(time.monotonic() - began, 1), lag=lag, emails=emails,
                      after=_memory_mb(worker), rss_sampled_max=max(samples))
        if traced:
            os.kill(worker, signal.SIGUSR1)
            time.sleep(20)
            result["traced"] = str(trace)
        print(json.dumps(result, indent=1), flush=True)
        return 0
    finally:
        services.stop(stack)
        fixtures.drop_databases(local.mongo_uri, name)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
