"""`make bench`: the stack started as `make run` starts it, measured; results and BENCHMARKS.md."""

import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path

import requests

from bench import (
    baselines,
    fanout,
    fixtures,
    id_lookups,
    memory,
    pipeline,
    relay_work,
    report,
    scale,
    scenarios,
    seeding,
    sizes,
)
from bench.counted_stack import CountedStack
from common.backlog import consumer_lag

# Sizes of the stack measured (documents per collection), the seeding budget per size, and how
# long to wait for the notifications backlog between phases; small values make a quick trial run.
SMALL = int(os.environ.get("BENCH_SMALL", "2000"))
LARGE = int(os.environ.get("BENCH_LARGE", "20000"))
FANOUT = int(os.environ.get("BENCH_FANOUT", "500"))
SEED_BUDGET_S = float(os.environ.get("BENCH_SEED_BUDGET_S", "90"))
DRAIN_S = float(os.environ.get("BENCH_DRAIN_S", "30"))
# The wait after seeding a size, until notifications has consumed everything and sent what it
# planned: every figure of the size is measured on a quiet stack, or says how far it was not.
SEED_DRAIN_S = float(os.environ.get("BENCH_SEED_DRAIN_S", "300"))
PROGRESS_S = 10



_BEGAN = time.monotonic()
PHASES: list[tuple[float, str]] = []  # (seconds since the start, phase) as each began
RELAYS: list[relay_work.Watch] = []  # the outbox relays' work, phase by phase


def _say(message: str) -> None:
    """A progress line, with the seconds since the run began; a line not indented starts a
    phase (where the time went is summed from them at the end, and what the relays did)."""
    elapsed = time.monotonic() - _BEGAN
    if not message.startswith(" "):
        PHASES.append((elapsed, message))
        for watch in RELAYS:
            watch.phase(message)
            if watch.phases:
                _, done = list(watch.phases.items())[-1]
                print("==>          the outbox relays during the phase before: " + ", ".join(
                    f"{service} {n['records']} records, {n['emptied']} outboxes emptied, "
                    f"{n['owed_at_end']} owed" for service, n in done.items()), flush=True)
    print(f"==> [{elapsed:5.0f} s] {message}", flush=True)


def phase_times(until: float) -> list[dict]:
    """How long each phase took, longest first."""
    ends = [at for at, _ in PHASES[1:]] + [until]
    took = [{"phase": what, "seconds": round(end - at, 1)}
            for (at, what), end in zip(PHASES, ends, strict=True)]
    return sorted(took, key=lambda p: -p["seconds"])


def _pending(url: str, headers: dict) -> int:
    """Notifications not sent yet (pending or being sent) among the newest 200: the summary
    reads them by `_id`, where a status filter over the whole feed would read them all."""
    answer = requests.get(f"{url}/notifications/summary", params={"newest": 200},
                          headers=headers, timeout=10)
    statuses = answer.json()["statuses"]
    return statuses["pending"] + statuses["sending"]


def _drained(url: str, headers: dict, lag, timeout_s: float, progress=None,
             swept=None) -> dict:
    """Wait for notifications' consumer, then its sender, to catch up, and for ``swept()``
    (registration's enrollment sweep idle) when given; how long it took and what was left
    (events not consumed yet, notifications not sent yet among the newest, the sweep busy).
    ``progress(left)`` is told every PROGRESS_S while it waits."""
    began = told = time.monotonic()
    while True:
        behind = sum(lag().values())
        pending = 0 if behind else _pending(url, headers)
        # Read (by `_id`) only once notifications is quiet: polling costs the stack too.
        sweeping = swept is not None and not behind and not pending and not swept()
        left = {"pending": pending, "unconsumed": behind, "sweeping": sweeping,
                "seconds": round(time.monotonic() - began, 1)}
        if (not behind and not pending and not sweeping) or time.monotonic() - began > timeout_s:
            return left
        if progress is not None and time.monotonic() - told >= PROGRESS_S:
            progress(left)
            told = time.monotonic()
        time.sleep(0.5)  # a quiet stack is seen at once: most drains find nothing to wait for


def main(argv: list[str]) -> int:
    began = time.monotonic()
    workers = os.cpu_count() or 2
    with CountedStack("bench", "bench", env={"NOTIFICATION_SENDER_INTERVAL_SECONDS": "1"},
                      api_workers=workers, pythonpath=os.environ.get("PYTHONPATH", ""),
                      extra_workers=True, infra_down=True, say=_say) as started:
        results = measure(started.stack, started.local, started.name, workers, started.extra,
                          started.counted)
        results["rows"] = report.rows(results["raw"])
        results["seconds"] = round(time.monotonic() - began)
        results["phases"] = phase_times(time.monotonic() - _BEGAN)
        path = report.write(results)
        print(report.markdown(results))
        _say("where the time went: " + ", ".join(
            f"{p['phase']} {p['seconds']:.0f} s" for p in results["phases"][:8]))
        _say(f"results in {path} and BENCHMARKS.md ({time.monotonic() - began:.0f}s)")
        return 0


def measure(stack, local, name: str, workers: int, extra, counted: Path) -> dict:
    """Every phase; if one fails, what the earlier ones found is kept in bench/results."""
    raw: dict = {}
    try:
        return _measure(stack, local, name, workers, extra, counted, raw)
    except Exception:
        path = report.ROOT / "bench" / "results" / f"failed-{name}.json"
        path.write_text(json.dumps(raw, indent=2, default=str))
        _say(f"bench failed; what it measured so far is in {path}")
        raise


def _measure(stack, local, name: str, workers: int, extra, counted: Path, raw: dict) -> dict:
    headers = fixtures.coordinator_headers()
    urls = stack.urls
    RELAYS.append(relay_work.Watch(local.mongo_uri, name))
    raw["relays_by_phase"] = RELAYS[-1].phases
    raw["plan"] = {"small": SMALL, "large": LARGE, "fanout": FANOUT,
                   "seed_budget_s": SEED_BUDGET_S, "drain_s": DRAIN_S,
                   "seed_drain_s": SEED_DRAIN_S}
    registration = fixtures.Client(urls["registration"], headers)
    sessions_api = fixtures.Client(urls["sessions"], headers)
    idle = memory.snapshot(stack)
    topics = [f"{name}.registration.events", f"{name}.sessions.events"]
    lag = lambda: consumer_lag(local.kafka_bootstrap, f"{name}.notifications", topics)  # noqa: E731

    def drain(what: str, budget_s: float = DRAIN_S, swept=None) -> dict:
        # Indented: its wait is counted in the phase that asked for it (each drain's own
        # time is in the results).
        _say(f"  waiting for the notifications backlog {what} to drain (up to {budget_s:.0f} s)"
             + (", and registration's enrollment sweep" if swept else ""))
        left = _drained(urls["notifications"], headers, lag, budget_s, lambda left: _say(
            f"  still draining after {left['seconds']:.0f} s: {left['unconsumed']:,} events "
            f"not consumed, {left['pending']} notifications not sent"
            + (", registration's sweep busy" if left["sweeping"] else "")), swept)
        busy = left["unconsumed"] or left["pending"] or left["sweeping"]
        _say(f"  drained in {left['seconds']} s" if not busy
             else f"  NOT drained after {left['seconds']} s: {left['unconsumed']:,} events not "
                  f"consumed, {left['pending']} notifications not sent"
                  + (", registration's sweep busy" if left["sweeping"] else ""))
        return left

    _say("baseline: raw pymongo insert_one, one process (5 s)")
    raw["pymongo"] = baselines.pymongo_inserts(local.mongo_uri, f"{name}_raw")
    _say("baseline: one document by _id among 5,000, find and update")
    raw["id_lookups"] = id_lookups.id_lookups(local.mongo_uri, f"{name}_ids")
    _say("baseline: raw kafka-python produce and consume round trips")
    raw["kafka"] = baselines.kafka_round_trips(local.kafka_bootstrap, f"{name}.raw")
    _say(f"baseline: bare Flask endpoint, gunicorn {workers} workers (10 s)")
    raw["flask"] = baselines.bare_flask(fixtures.free_port(), workers, scenarios.CLIENTS,
                                        scenarios.SECONDS)

    _say("set-up: 50 officers, 29 sessions known to registration")
    officers = fixtures.officers(registration, 50, name)
    loaded = fixtures.sessions(sessions_api, registration, 24, "load")
    slow = fixtures.sessions(sessions_api, registration, 4, "20/s")
    [held] = fixtures.sessions(sessions_api, registration, 1, "attendance", started=True)
    _say("set-up: a session under way with 50 rostered officers")
    for officer in officers:
        registration("POST", "/enrollments", json={"participant_id": officer["id"],
                                                   "session_id": held["id"]})
    fixtures.wait("the roster", lambda: len(sessions_api(
        "GET", f"/sessions/{held['id']}/roster", params={"page_size": 100})) == 50)
    sessions_api("POST", f"/sessions/{held['id']}/start")

    audiences = {}
    for count in (FANOUT, 24):
        _say(f"set-up: a session with {count} enrolled officers (fan-out audience)")
        people = seeding.officers_for(urls["registration"], headers, count, f"fan{count}")
        [session] = fixtures.sessions(sessions_api, registration, 1, f"fan-out {count}")
        enrolled = seeding.enroll_each(urls, headers, people, session)
        _say(f"  {enrolled}")
        audiences[count] = (people, session, enrolled)

    fx = {"officers": officers, "loaded": loaded, "held": held,
          "enrolling": [loaded[12:], loaded[:12]],
          "participant_numbers": [2_000_000, 1_000_000],
          "attendance_months": ["2021-06", "2021-05"],
          "registration_topic": f"{name}.registration.events"}
    seeder, found = seeding.Seeder(urls, headers, name), raw.setdefault("sizes", {})
    _say(f"set-up: {seeding.ENROLLING_SESSIONS} sessions for the seeded enrollments")
    seeder.prepare()
    for label, target in (("small", SMALL), ("large", LARGE)):
        _say(f"seeding ({label}): participants, sessions and enrollments toward {target:,} "
             f"each through the APIs (budget {SEED_BUDGET_S:.0f} s)")
        seeded = seeder.grow_to(target, SEED_BUDGET_S)
        _say(f"  seeded {seeded}")
        seeded["drained"] = drain("left by seeding", SEED_DRAIN_S, swept=lambda: (
            seeding.sweep_idle(local.mongo_uri, name)))
        seeded["totals"] = seeding.totals(urls, headers)
        _say(f"  the stack holds {seeded['totals']}")
        found[label] = {"seeding": seeded,
                        **sizes.measure(label, stack, local, headers, fx, counted, _say,
                                      drain)}
    loaded_memory = memory.snapshot(stack)

    raw["fanout"] = {}
    for count, (people, session, enrolled) in audiences.items():
        _say(f"fan-out: waiting for the {count} officers' earlier emails")
        fanout.settle(local.smtp_http_url, people, 2, timeout_s=DRAIN_S)
        wait_s = 60.0
        _say(f"fan-out: reschedule, then cancel, a session with {count} officers "
             f"(each waits up to {wait_s} s for every email)")
        raw["fanout"][count] = {"enrolled": enrolled["made"], **fanout.reschedule_and_cancel(
            urls["sessions"], headers, local.smtp_http_url, session, people, wait_s,
            lambda: drain("before the fan-out"))}
        _say(f"  {raw['fanout'][count]}")

    raw["backlog_before_latency"] = drain("before the latency run")
    pairs = [(o, s) for s in slow for o in officers]
    _say(f"pipeline: {len(pairs)} enrollments at 20/s, until each email arrives")
    sent = pipeline.enroll_at_rate(urls["registration"], headers, pairs, 20)
    raw["pipeline_20"] = pipeline.latency(sent, pipeline.delivered(
        local.smtp_http_url, sent, timeout_s=60))

    raw["backlog_before_2_workers"] = drain("before two workers")
    extra.add()
    _say(f"pipeline: {sizes.PIPELINE_EMAILS} confirmations to warm the second worker "
         f"(not measured), then {scale.WARM_SETTLE_S:.0f} s")
    raw["pipeline_2_workers_warm_up"] = scale.warm_up(
        local.kafka_bootstrap, fx["registration_topic"], local.smtp_http_url,
        fx["officers"], fx["loaded"], sizes.PIPELINE_EMAILS)
    _say(f"pipeline: {sizes.PIPELINE_EMAILS} confirmations drained by 2 notifications workers")
    raw["pipeline_2_workers"] = sizes.drain_counted(local, fx, counted, sizes.PIPELINE_EMAILS)
    RELAYS[-1].phase(None)
    return {"when": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": report.machine(), "raw": raw,
            "memory": {"idle": idle, "after_load": loaded_memory | memory.snapshot(stack)}}
