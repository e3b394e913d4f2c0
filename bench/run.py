"""`make bench`: the stack started as `make run` starts it, measured; results and BENCHMARKS.md."""

import json
import os
import socket
import time
import uuid
from datetime import UTC, datetime

import requests

from bench import baselines, fixtures, id_lookups, memory, pipeline, report, scale, scenarios
from common.auth import mint
from common.backlog import consumer_lag
from common.config import load
from common.mongo import client
from common.topics import catalogue
from devstack import infra, services


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _say(message: str) -> None:
    print(f"==> {message}", flush=True)


def _pending(url: str, headers: dict) -> int:
    answer = requests.get(f"{url}/notifications", params={"status": "pending", "page_size": 1},
                          headers=headers, timeout=10)
    return json.loads(answer.headers.get("X-Pagination", '{"total": 0}'))["total"]


def _drained(url: str, headers: dict, lag, timeout_s: float) -> dict:
    """Wait for notifications' consumer, then its sender, to catch up; how long it took and
    what was left (events not consumed yet, notifications not sent yet)."""
    began = time.monotonic()
    while True:
        behind = sum(lag().values())
        pending = 0 if behind else _pending(url, headers)
        if (not behind and not pending) or time.monotonic() - began > timeout_s:
            return {"pending": pending, "unconsumed": behind,
                    "seconds": round(time.monotonic() - began, 1)}
        time.sleep(2)


def main(argv: list[str]) -> int:
    began = time.monotonic()
    local = infra.up()
    name = f"bench{uuid.uuid4().hex[:6]}"
    workers = os.cpu_count() or 2
    env = {**local.env(), "STACK_NAME": name, "TOPIC_PREFIX": f"{name}.", "LOG_LEVEL": "WARNING",
           "NOTIFICATION_SENDER_INTERVAL_SECONDS": "1"}
    infra.ensure_topics(local.kafka_bootstrap, list(catalogue(f"{name}.")))
    log_dir = infra.state_dir() / "bench-logs"
    stack = services.start(env, {s: _free_port() for s in services.SERVICES}, log_dir,
                           api_workers=workers)
    # Extra notifications workers ask the same APIs for contact details.
    extra = scale.ExtraWorkers({**env, "REGISTRATION_URL": stack.urls["registration"],
                                "SESSIONS_URL": stack.urls["sessions"]}, log_dir)
    try:
        services.wait_ready(stack, timeout_s=90)
        results = measure(stack, local, name, workers, extra)
        results["seconds"] = round(time.monotonic() - began)
        path = report.write(results)
        print(report.markdown(results))
        _say(f"results in {path} and BENCHMARKS.md ({time.monotonic() - began:.0f}s)")
        return 0
    finally:
        extra.stop()
        services.stop(stack)
        for db in client(local.mongo_uri).list_database_names():
            if db.startswith(f"{name}_"):
                client(local.mongo_uri).drop_database(db)
        infra.down(local.started)


def measure(stack, local, name: str, workers: int, extra) -> dict:
    settings = load("bench")
    token = mint(settings.jwt_secret, "bench", ["coordinator"], 3600, settings.jwt_audience,
                 settings.jwt_issuer)
    headers = {"Authorization": f"Bearer {token}"}
    urls, raw = stack.urls, {}
    registration = fixtures.Client(urls["registration"], headers)
    sessions_api = fixtures.Client(urls["sessions"], headers)
    idle = memory.snapshot(stack)

    _say("baseline: raw pymongo insert_one, one process (5 s)")
    raw["pymongo"] = baselines.pymongo_inserts(local.mongo_uri, f"{name}_raw")
    _say("baseline: one document by _id among 5,000, find and update")
    raw["id_lookups"] = id_lookups.id_lookups(local.mongo_uri, f"{name}_ids")
    _say("baseline: raw kafka-python produce and consume round trips")
    raw["kafka"] = baselines.kafka_round_trips(local.kafka_bootstrap, f"{name}.raw")
    _say(f"baseline: bare Flask endpoint, gunicorn {workers} workers (10 s)")
    raw["flask"] = baselines.bare_flask(_free_port(), workers, scenarios.CLIENTS,
                                        scenarios.SECONDS)

    _say("set-up: 50 officers, 40 sessions known to registration")
    officers = fixtures.officers(registration, 50, name)
    loaded = fixtures.sessions(sessions_api, registration, 24, "load")
    gentle = fixtures.sessions(sessions_api, registration, 1, "5/s")
    slow = fixtures.sessions(sessions_api, registration, 4, "20/s")
    fast = fixtures.sessions(sessions_api, registration, 10, "100/s")
    [held] = fixtures.sessions(sessions_api, registration, 1, "attendance", started=True)

    _say(f"HTTP: create participants, {scenarios.CLIENTS} clients (10 s)")
    raw["create_participant"] = scenarios.create_participants(urls, headers)
    _say(f"HTTP: enroll, {scenarios.CLIENTS} clients (10 s)")
    raw["enroll"] = scenarios.enroll(urls, headers, officers, loaded)

    _say("set-up: a session under way with 50 rostered officers")
    for officer in officers:
        registration("POST", "/enrollments", json={"participant_id": officer["id"],
                                                   "session_id": held["id"]})
    fixtures.wait("the roster", lambda: len(sessions_api(
        "GET", f"/sessions/{held['id']}/roster", params={"page_size": 100})) == 50)
    sessions_api("POST", f"/sessions/{held['id']}/start")
    _say(f"HTTP: record attendance, {scenarios.CLIENTS} clients (10 s)")
    raw["attendance"] = scenarios.record_attendance(
        urls, headers, held["id"], [o["id"] for o in officers],
        ["2021-03-25", "2021-03-26", "2021-03-27", "2021-03-28"])
    loaded_memory = memory.snapshot(stack)

    _say("waiting for the notifications backlog to drain (up to 3 minutes)")
    topics = [f"{name}.registration.events", f"{name}.sessions.events"]
    lag = lambda: consumer_lag(local.kafka_bootstrap, f"{name}.notifications", topics)  # noqa: E731
    drained = _drained(urls["notifications"], headers, lag, timeout_s=180)
    raw["backlog_after_load"] = drained
    if drained["pending"] == 0 and drained["unconsumed"] == 0:
        for rate, chosen in ((5, gentle), (20, slow), (100, fast)):
            pairs = [(o, s) for s in chosen for o in officers]
            _say(f"pipeline: {len(pairs)} enrollments at {rate}/s, until each email arrives")
            sent = pipeline.enroll_at_rate(urls["registration"], headers, pairs, rate)
            raw[f"pipeline_{rate}"] = pipeline.latency(sent, pipeline.delivered(
                local.smtp_http_url, sent, timeout_s=60))
    else:
        _say(f"pipeline not measured: {drained['unconsumed']} events not consumed, "
             f"{drained['pending']} notifications not sent")

    _say("waiting for the pipeline to drain before the scale runs (up to 2 minutes)")
    raw["backlog_before_scale"] = _drained(urls["notifications"], headers, lag, timeout_s=120)
    throughput = {}
    for count in (1, 2, 3):
        if count > 1:
            _drained(urls["notifications"], headers, lag, timeout_s=60)
            extra.add()
        _say(f"scale: 400 confirmations drained by {count} notifications worker(s)")
        throughput[count] = scale.drain_rate(local.kafka_bootstrap, f"{name}.registration.events",
                                             local.smtp_http_url, officers, loaded, 400)
    raw["scale"] = throughput
    return {"when": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": report.machine(), "rows": report.rows(raw), "raw": raw,
            "memory": {"idle": idle, "after_load": loaded_memory | memory.snapshot(stack)}}
