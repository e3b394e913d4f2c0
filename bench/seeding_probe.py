"""The bench's seeding and the drain after it, alone: how long the stack takes to be quiet
again after each size is seeded, and what it still had to do when the budget ran out.

    GLO_ACT_ENV=development .venv/bin/python -m bench.seeding_probe [small] [large] \
        [--budget=90] [--drain=300] [--fanout=0]

Starts the infrastructure if it is not running (and leaves it running) and a stack of its own
as `make bench` does, grows it to each size with `bench.seeding` (the budget per size), then
waits until notifications' consumer lag is 0 and nothing it planned is left to send (at most
the drain budget), printing progress every 10 s; with --fanout=N, then sets up a fan-out
audience of N officers as the bench does and waits for their two emails each. Prints JSON:
each size's seeding and drain.
"""

import json
import os
import sys
import time
import uuid

from bench import fanout, fixtures, seeding
from bench.run import _drained
from common.backlog import consumer_lag
from common.topics import catalogue
from devstack import infra, services


def main(argv: list[str]) -> int:
    options = dict(a[2:].split("=", 1) for a in argv if a.startswith("--"))
    sizes = [int(a) for a in argv if not a.startswith("--")] or [2000, 20000]
    budget_s, drain_s = float(options.get("budget", 90)), float(options.get("drain", 300))
    local = infra.up()
    name = f"seedprobe{uuid.uuid4().hex[:6]}"
    env = {**local.env(), "STACK_NAME": name, "TOPIC_PREFIX": f"{name}.", "LOG_LEVEL": "WARNING",
           "NOTIFICATION_SENDER_INTERVAL_SECONDS": "1"}
    infra.ensure_topics(local.kafka_bootstrap, list(catalogue(f"{name}.")))
    stack = services.start(env, {s: fixtures.free_port() for s in services.SERVICES},
                           infra.state_dir() / "seeding-probe-logs",
                           api_workers=os.cpu_count() or 2)
    results: dict = {"load_before": os.getloadavg(), "budget_s": budget_s, "drain_s": drain_s}
    try:
        services.wait_ready(stack, timeout_s=90)
        headers = fixtures.coordinator_headers()
        topics = [f"{name}.registration.events", f"{name}.sessions.events"]
        lag = lambda: consumer_lag(local.kafka_bootstrap, f"{name}.notifications",  # noqa
                                   topics)
        seeder = seeding.Seeder(stack.urls, headers, name)
        seeder.prepare()
        for target in sizes:
            print(f"==> seeding toward {target:,} (budget {budget_s:.0f} s)", flush=True)
            seeded = seeder.grow_to(target, budget_s)
            print(f"  seeded {seeded}", flush=True)
            print(f"==> draining (up to {drain_s:.0f} s)", flush=True)
            seeded["drained"] = _drained(stack.urls["notifications"], headers, lag, drain_s,
                                         lambda left: print(f"  still draining: {left}",
                                                            flush=True))
            print(f"  drained: {seeded['drained']}", flush=True)
            seeded["totals"] = seeding.totals(stack.urls, headers)
            results[str(target)] = seeded
        if int(options.get("fanout", 0)):
            count, began = int(options["fanout"]), time.monotonic()
            people = seeding.officers_for(stack.urls["registration"], headers, count, name)
            [session] = fixtures.sessions(fixtures.Client(stack.urls["sessions"], headers),
                                          fixtures.Client(stack.urls["registration"], headers),
                                          1, "fan-out")
            enrolled = seeding.enroll_each(stack.urls, headers, people, session)
            emailed = fanout.settle(local.smtp_http_url, people, 2, timeout_s=drain_s)
            results["fanout"] = {"officers": len(people), **enrolled, "emailed": emailed,
                                 "set_up_s": round(time.monotonic() - began, 1)}
            print(f"  fan-out audience: {results['fanout']}", flush=True)
        results["load_after"] = os.getloadavg()
        print(json.dumps(results, indent=1), flush=True)
        return 0
    finally:
        services.stop(stack)
        fixtures.drop_databases(local.mongo_uri, name)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
