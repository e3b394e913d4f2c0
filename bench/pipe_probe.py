"""The notification pipeline alone, measured the way `make bench` does, with each process's
database commands shown apart (which process, which command), for before/after comparisons.

    GLO_ACT_ENV=development .venv/bin/python -m bench.pipe_probe [emails] [workers...] \
        [--no-fanout] [--latency] [--warm=N] [--tail=S]                # e.g. 200 1 2

Starts the infrastructure if it is not running (and leaves it running), a stack of its own,
50 officers and 24 sessions, then drains ``emails`` confirmations with 1, then 2 workers; also
a reschedule of a 24-officer session; with --latency, 200 enrollments at 20/s until each
confirmation arrives; with --warm=N, an extra worker first drains N confirmations unmeasured
(the first worker is warm: it handled the set-up and knows its streams); with --tail=S, the
commands are counted S seconds past each drain too. Prints JSON.

CPU per email is given for the workers, FerretDB, Kafka and the SMTP sink (the machine's two
cores are shared by all of them). ``--profile=DIR`` also samples the (first) notifications
worker with py-spy (installed in the venv by hand, not a dependency) while it drains, into
``DIR/worker-<workers>.txt``: collapsed stacks (`py-spy record -f raw`) of the thread holding
the GIL, i.e. where its CPU goes.
"""

import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import requests

from bench import commands, fanout, fixtures, pipeline, scale, seeding
from bench.counted_stack import CountedStack
from common.backlog import consumer_lag
from devstack import infra


def _by_process(directory: Path, names: dict[int, str]) -> dict[str, Counter]:
    found: dict[str, Counter] = {}
    for path in directory.glob("*.json"):
        try:
            counts = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        name = names.get(int(path.stem), "api-worker")
        found.setdefault(name, Counter()).update(
            {k: v for k, v in counts.items() if k.split()[0] not in commands.HOUSEKEEPING})
    return found


def _cpu(pids: dict[int, str]) -> dict[str, float]:
    return {name: fixtures.cpu_seconds(pid) for pid, name in pids.items()}


def _profiled(directory: str | None, pid: int, workers: int):
    """py-spy sampling ``pid`` until stopped, when asked for a profile."""
    if not directory:
        return None
    Path(directory).mkdir(parents=True, exist_ok=True)
    spy = Path(sys.executable).with_name("py-spy")
    return subprocess.Popen([str(spy), "record", "--pid", str(pid), "--rate", "250",
                             "--nonblocking", "--gil", "--format", "raw", "--output",
                             f"{directory}/worker-{workers}.txt"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _diff(after: dict[str, Counter], before: dict[str, Counter], emails: int) -> dict:
    out = {}
    for name, counts in after.items():
        delta = counts - before.get(name, Counter())
        if delta:
            out[name] = {k: round(v / emails, 2) for k, v in sorted(delta.items())}
            out[name]["_total"] = round(sum(delta.values()) / emails, 2)
    return out


def _tailed(result: dict, tail_s: float) -> dict:
    """With --tail=S: the window counted goes on S seconds past the drain (what the emails
    cost later, e.g. each worker's sweep looking at them SETTLE_S after they fell due)."""
    if tail_s:
        time.sleep(tail_s)
        result = {**result, "seconds": round(result["seconds"] + tail_s, 1)}
    return result


def main(argv: list[str]) -> int:
    fan_out, latency = "--no-fanout" not in argv, "--latency" in argv
    profile = next((a.split("=", 1)[1] for a in argv if a.startswith("--profile=")), None)
    warm = int(next((a.split("=", 1)[1] for a in argv if a.startswith("--warm=")), 0))
    tail = float(next((a.split("=", 1)[1] for a in argv if a.startswith("--tail=")), 0))
    argv = [a for a in argv if not a.startswith("--")]
    emails = int(argv[0]) if argv else 200
    rounds = [int(a) for a in argv[1:]] or [1, 2]
    started = CountedStack("probe", "probe", env={"NOTIFICATION_SENDER_INTERVAL_SECONDS": "1",
                                                  "BENCH_COMMANDS_DETAIL": "1"},
                           extra_workers=True)
    local, name, counted = started.local, started.name, started.counted
    stack, extra = started.stack, started.extra
    results: dict = {"uptime": os.getloadavg()}
    try:
        started.ready()
        headers = fixtures.coordinator_headers()
        urls = stack.urls
        registration = fixtures.Client(urls["registration"], headers)
        sessions_api = fixtures.Client(urls["sessions"], headers)
        officers = fixtures.officers(registration, 50, name)
        loaded = fixtures.sessions(sessions_api, registration, 24, "load")
        topics = [f"{name}.registration.events", f"{name}.sessions.events"]
        lag = lambda: sum(consumer_lag(local.kafka_bootstrap, f"{name}.notifications",  # noqa
                                       topics).values())
        fixtures.wait("the backlog", lambda: lag() == 0, timeout_s=120)
        fixtures.wait("the acknowledgements", lambda: len(requests.get(
            f"{local.smtp_http_url}/messages", timeout=10).json()) >= 50, timeout_s=120)
        time.sleep(3)
        names = {p.popen.pid: p.name for p in stack.processes}
        topic = f"{name}.registration.events"
        run = infra.state_dir() / "run"
        database = int((run / "ferretdb.pid").read_text()) if (run / "ferretdb.pid").exists() \
            else None
        quiet = pipeline.settled(lambda: fixtures.cpu_seconds(database), float("inf"), 0, 6)
        for workers in rounds:
            added = len(extra.processes) + 1 < workers
            while len(extra.processes) + 1 < workers:
                extra.add()
                names[extra.processes[-1].pid] = f"notifications-worker-extra{len(extra.processes)}"
                if warm:  # as warm as the first worker (its streams known), unmeasured
                    scale.warm_up(local.kafka_bootstrap, topic, local.smtp_http_url,
                                  officers, loaded, warm)  # as `make bench` does
            if added:  # the database back to its quiet rate: the newcomer's start-up is done
                results[f"{workers}_workers_settled"] = pipeline.settled(
                    lambda: fixtures.cpu_seconds(database), quiet["rate"] * 1.5 + 0.05)
            cpu_pids = {**{p: n for p, n in names.items() if "worker" in n},
                        **{int((run / f"{n}.pid").read_text()): n
                           for n in ("ferretdb", "kafka", "smtp") if (run / f"{n}.pid").exists()}}
            idle_began, cpu_idle = time.monotonic(), _cpu(cpu_pids)
            idle = commands.idle_rate(counted)
            idle_s = time.monotonic() - idle_began
            before = _by_process(counted, names)
            cpu_before = _cpu(cpu_pids)
            idle_cpu = {n: (cpu_before[n] - cpu_idle[n]) / idle_s for n in cpu_pids.values()}
            first = next(p for p, n in names.items() if n == "notifications-worker")
            spy = _profiled(profile, first, workers)
            result = commands.per_email(counted, lambda: _tailed(scale.drain_rate(
                local.kafka_bootstrap, topic, local.smtp_http_url, officers, loaded, emails,
                timeout_s=120), tail), idle)
            if spy is not None:
                spy.send_signal(2)  # py-spy writes what it sampled on SIGINT
                spy.wait(timeout=30)
            if workers > 1:  # stable, each member holding partitions, before the clock started
                result["group"] = extra.joined
            result["per_process"] = _diff(_by_process(counted, names), before, emails)
            # CPU milliseconds per email: what a loaded machine cannot blur as it blurs time.
            result["cpu_ms_per_email"] = {n: round((c - cpu_before[n]) * 1000 / emails, 2)
                                          for n, c in _cpu(cpu_pids).items()}
            # The same beyond what each process spends idle (its periodic look-ups and sweeps).
            result["cpu_ms_per_email_beyond_idle"] = {
                n: round((c - cpu_before[n] - idle_cpu[n] * result["seconds"]) * 1000 / emails, 2)
                for n, c in _cpu(cpu_pids).items()}
            result["idle_cpu_ms_per_s"] = {n: round(v * 1000, 1) for n, v in idle_cpu.items()}
            results[f"{workers}_workers"] = result
            print(json.dumps({f"{workers}_workers": result}, indent=1), flush=True)
            time.sleep(3)
        if latency:
            slow = fixtures.sessions(sessions_api, registration, 4, "20/s")
            pairs = [(o, s) for s in slow for o in officers]
            sent = pipeline.enroll_at_rate(urls["registration"], headers, pairs, 20)
            results["latency_20"] = pipeline.latency(sent, pipeline.delivered(
                local.smtp_http_url, sent, timeout_s=60))
            print(json.dumps({"latency_20": results["latency_20"]}), flush=True)
        if fan_out:
            people = seeding.officers_for(urls["registration"], headers, 24, f"fan24{name}")
            [session] = fixtures.sessions(sessions_api, registration, 1, "fan-out 24")
            seeding.enroll_each(urls, headers, people, session)
            fanout.settle(local.smtp_http_url, people, 2, timeout_s=60)
            results["fanout_24"] = fanout.reschedule_and_cancel(
                urls["sessions"], headers, local.smtp_http_url, session, people, 30,
                lambda: None)
            print(json.dumps({"fanout_24": results["fanout_24"]}), flush=True)
        return 0
    finally:
        started.stop()
        out = infra.state_dir() / f"pipe-probe-{name}.json"
        out.write_text(json.dumps(results, indent=1, default=str))
        print(f"==> {out}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
