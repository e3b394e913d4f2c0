"""`python -m bench.relay_probe [documents] [idle_s]`: what the outbox relays read when a second
notifications worker starts on a stack holding the large size, and while the stack is idle.

    GLO_ACT_ENV=development .venv/bin/python -m bench.relay_probe

Starts the infrastructure if needed and a stack of its own (default relay interval, 10 s),
inserts ``documents`` (20,000) notifications and as many participants with empty outboxes (what
the large size leaves once the relays emptied them), then counts every process's database
commands by shape (pymongo command monitoring): ``idle_s`` (65) seconds idle; then 35 s after a
second notifications worker starts and a process makes its first outbox write to the
notifications database (this probe's own, through `Runtime.insert`: what the newcomer's first
notification does). A full sweep is a `find` of an outbox collection by `{outbox_pending}`.
Then 3 officers are registered (writes by an API's gunicorn worker and the workers), the stack
is stopped (SIGTERM) and what is left in the relays' registry (`outbox_processes`) is shown:
nothing, when every process stopped clean.
"""

import json
import os
import sys
import time
import uuid
from collections import Counter

from pymongo import MongoClient

from bench import fixtures
from bench.counted_stack import CountedStack
from bench.pipe_probe import _by_process
from common.config import load
from common.envelope import new_event
from common.runtime import Runtime
from devstack import infra

DOCUMENTS = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
IDLE_S = float(sys.argv[2]) if len(sys.argv) > 2 else 65.0
AFTER_START_S = 35.0


def _seed(env: dict) -> None:
    os.environ.update(env)
    client = MongoClient(env["MONGO_URI"])
    for service, collection, prefix in (("notifications", "notifications", "n"),
                                        ("registration", "participants", "p")):
        database = client[load(service).database]
        for start in range(0, DOCUMENTS, 1000):
            database[collection].insert_many(
                [{"_id": f"probe-{prefix}-{n}", "status": "sent", "outbox": [],
                  "outbox_pending": False} for n in range(start, min(DOCUMENTS, start + 1000))])


def _registry(mongo_uri: str, name: str) -> dict:
    """The processes registered as writing outboxes, per service's database."""
    client = MongoClient(mongo_uri)
    return {service: [e["_id"] for e in client[f"{name}_{service}"]["outbox_processes"].find()
                      if "beat" in e] for service in ("registration", "notifications", "sessions")}


def _delta(after: dict[str, Counter], before: dict[str, Counter]) -> dict:
    out = {}
    for name, counts in after.items():
        delta = counts - before.get(name, Counter())
        if delta:
            out[name] = dict(sorted(delta.items()))
            out[name]["_sweeps"] = sum(n for k, n in delta.items()
                                       if k.startswith("find") and "outbox_pending" in k)
    return out


def main() -> int:
    # The registry is read once the stack stopped: its databases are dropped after that.
    started = CountedStack("relay", "relay-probe", extra_workers=True, drop=False,
                           env={"LOG_LEVEL": "INFO", "BENCH_COMMANDS_DETAIL": "shape"})
    local, name, counted = started.local, started.name, started.counted
    stack, extra, env = started.stack, started.extra, started.env
    results: dict = {"uptime": os.getloadavg(), "documents": DOCUMENTS}
    try:
        started.ready()
        seeding_began = time.monotonic()
        _seed({k: v for k, v in env.items() if k != "PYTHONPATH"})
        results["seed_s"] = round(time.monotonic() - seeding_began, 1)
        names = {p.popen.pid: p.name for p in stack.processes}
        time.sleep(25)  # the relays' start-up (a sweep at start, before this change) is done
        before = _by_process(counted, names)
        time.sleep(IDLE_S)
        results["idle"] = {"seconds": IDLE_S, **_delta(_by_process(counted, names), before)}
        print(json.dumps({"idle": results["idle"]}, indent=1), flush=True)
        before = _by_process(counted, names)
        extra.add()
        names[extra.processes[-1].pid] = "notifications-worker-2"
        runtime = Runtime(load("notifications"), f"{name}.notifications.events")
        runtime.insert("relay_probe", {"_id": uuid.uuid4().hex},
                       [new_event("notifications.notification.sent", "probe", {}, "notifications")])
        runtime.publisher.drain()
        time.sleep(AFTER_START_S)
        results["second_worker"] = {"seconds": AFTER_START_S,
                                    **_delta(_by_process(counted, names), before)}
        print(json.dumps({"second_worker": results["second_worker"]}, indent=1), flush=True)
        getattr(runtime.publisher, "close", runtime.publisher.drain)()  # before: drain only
        runtime.producer.close()
        # Writes by the APIs' gunicorn workers and the workers, whose clean stop must leave
        # nothing in the registry (their relays would sweep for them otherwise).
        fixtures.officers(fixtures.Client(stack.urls["registration"],
                                          fixtures.coordinator_headers()), 3, name)
        time.sleep(5)
        results["in_registry_before_stop"] = _registry(local.mongo_uri, name)
        return 0
    finally:
        started.stop()
        results["left_in_registry_after_stop"] = _registry(local.mongo_uri, name)
        print(json.dumps({key: results.get(key) for key in ("in_registry_before_stop",
                                                            "left_in_registry_after_stop")}),
              flush=True)
        fixtures.drop_databases(local.mongo_uri, name)
        out = infra.state_dir() / f"relay-probe-{name}.json"
        out.write_text(json.dumps(results, indent=1, default=str))
        print(f"==> {out}")


if __name__ == "__main__":
    sys.exit(main())
