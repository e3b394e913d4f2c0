"""`make bench`: the stack started as `make run` starts it, measured; results and BENCHMARKS.md."""

import os
import socket
import time
import uuid
from datetime import UTC, datetime

from bench import baselines, memory, report, scenarios
from common.auth import mint
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


def main(argv: list[str]) -> int:
    began = time.monotonic()
    local = infra.up()
    name = f"bench{uuid.uuid4().hex[:6]}"
    workers = os.cpu_count() or 2
    env = {**local.env(), "STACK_NAME": name, "TOPIC_PREFIX": f"{name}.", "LOG_LEVEL": "WARNING"}
    infra.ensure_topics(local.kafka_bootstrap, list(catalogue(f"{name}.")))
    stack = services.start(env, {s: _free_port() for s in services.SERVICES},
                           infra.state_dir() / "bench-logs", api_workers=workers)
    rows, raw = [], {}
    try:
        services.wait_ready(stack, timeout_s=90)
        settings = load("bench")
        token = mint(settings.jwt_secret, "bench", ["coordinator"], 3600,
                     settings.jwt_audience, settings.jwt_issuer)
        headers = {"Authorization": f"Bearer {token}"}
        idle = memory.snapshot(stack)

        _say("baseline: raw pymongo insert_one, one process (5 s)")
        raw["pymongo"] = baselines.pymongo_inserts(local.mongo_uri, f"{name}_raw")
        _say("baseline: raw kafka-python produce and consume round trips")
        raw["kafka"] = baselines.kafka_round_trips(local.kafka_bootstrap, f"{name}.raw")
        _say(f"baseline: bare Flask endpoint, gunicorn {workers} workers (10 s)")
        raw["flask"] = baselines.bare_flask(_free_port(), workers, scenarios.CLIENTS,
                                            scenarios.SECONDS)

        _say(f"HTTP: create participants, {scenarios.CLIENTS} clients (10 s)")
        raw["create_participant"] = scenarios.create_participants(stack.urls, headers)
        loaded = memory.snapshot(stack)

        created = raw["create_participant"]
        rows.append({"name": "create a participant (req/s)",
                     "figure": f"{created['per_second']:.0f}/s, p50 {created['p50_ms']:.1f} ms,"
                               f" p99 {created['p99_ms']:.1f} ms",
                     "ratio": f"{created['per_second'] / raw['pymongo']['per_second']:.0%} of "
                              f"raw inserts ({raw['pymongo']['per_second']:.0f}/s); "
                              f"{created['per_second'] / raw['flask']['per_second']:.0%} of bare "
                              f"Flask ({raw['flask']['per_second']:.0f}/s)",
                     "target": ">= 50% of raw inserts",
                     "met": created["per_second"] >= 0.5 * raw["pymongo"]["per_second"]})
        rows.append({"name": "raw Kafka round trip",
                     "figure": f"p50 {raw['kafka']['p50_ms']:.1f} ms, "
                               f"p99 {raw['kafka']['p99_ms']:.1f} ms"})
        peak = max([*idle.values(), *loaded.values()])
        rows.append({"name": "largest resident memory", "figure": f"{peak:.0f} MB",
                     "target": "< 150 MB per process", "met": peak < 150})
        results = {"when": datetime.now(UTC).isoformat(timespec="seconds"),
                   "machine": report.machine(), "rows": rows, "raw": raw,
                   "memory": {"idle": idle, "after_load": loaded}}
        path = report.write(results)
        print(report.markdown(results))
        _say(f"results in {path} and BENCHMARKS.md ({time.monotonic() - began:.0f}s)")
        return 0
    finally:
        services.stop(stack)
        for db in client(local.mongo_uri).list_database_names():
            if db.startswith(f"{name}_"):
                client(local.mongo_uri).drop_database(db)
        infra.down(local.started)
