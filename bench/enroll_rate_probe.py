"""`python -m bench.enroll_rate_probe [rounds] [seconds] [order] [py-spy]`: enroll, repeated.

`make bench`'s enroll (8 clients over 12 sessions of 50 officers, `scenarios.enroll`) run
``rounds`` times (3) for ``seconds`` each (5) on fresh sessions of one stack, each round with
its rate, the stack's CPU per enroll by process, and every process's database commands per
enroll (with BENCH_COMMANDS_DETAIL=shape, named by filter shape). ``order`` "bench" (the
bench's plan: session after session, so the 8 clients enroll into one session at a time) or
"spread" (officer after officer: consecutive requests in different sessions), to tell the
sessions' turns from CPU, or "after-create" (the bench's plan, started right after 5 s of
creating officers with 8 clients, as `make bench` did), or "alternate" (5 s of creates, then the
bench's plan: at once in odd rounds, once the stack is quiet again in even ones), or
"bench-spread" (odd rounds spread, even ones the bench's plan).
Needs GLO_ACT_ENV=development.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter

from bench import commands, fixtures, loadgen, scenarios
from bench.counted_stack import CountedStack

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 3
SECONDS = float(sys.argv[2]) if len(sys.argv) > 2 else 5.0
ORDER = sys.argv[3] if len(sys.argv) > 3 else "bench"
PY_SPY = sys.argv[4] if len(sys.argv) > 4 else None  # py-spy's path: profile the API's workers


def _every_process(counted, stack) -> dict[str, Counter]:
    """Each process's commands so far (a gunicorn master with its workers), by name."""
    found = {}
    for process in stack.processes:
        found[process.name] = Counter()
        for pid in {process.popen.pid, *fixtures.children(process.popen.pid)}:
            try:
                counts = json.loads((counted / f"{pid}.json").read_text())
            except (OSError, ValueError):
                continue
            found[process.name].update({k: n for k, n in counts.items()
                                        if k.split()[0] not in commands.HOUSEKEEPING})
    return found



def _spread(urls, headers, officers, sessions, seconds):
    lines = [{"method": "POST", "url": f"{urls['registration']}/enrollments",
              "body": json.dumps({"participant_id": o["id"], "session_id": s["id"]})}
             for o in officers for s in sessions]
    return loadgen.run(requests_file=scenarios._planned(lines), clients=scenarios.CLIENTS,
                       seconds=seconds, headers={**headers, "Content-Type": "application/json"})


def main() -> None:
    with CountedStack("rate", "rate-probe", pythonpath=sys.path[0], drop=False) as started:
        stack, counted = started.stack, started.counted
        headers = fixtures.coordinator_headers()
        urls = stack.urls
        registration = fixtures.Client(urls["registration"], headers)
        sessions_api = fixtures.Client(urls["sessions"], headers)
        officers = fixtures.officers(registration, 50, started.name)
        loaded = fixtures.sessions(sessions_api, registration, 12 * ROUNDS, "load")
        for n in range(ROUNDS):
            print(json.dumps(_round(stack, counted, urls, headers, officers,
                                    loaded[12 * n:12 * n + 12], n)), flush=True)


def _after_creates(n: int) -> bool:
    return ORDER == "after-create" or (ORDER == "alternate" and n % 2 == 1)


def _round(stack, counted, urls, headers, officers, sessions, n: int) -> dict:
    """One round of enrollments: rate, CPU per enroll (in its window, and with what the
    workers did after it), every process's commands per enroll."""
    spread = ORDER == "spread" or (ORDER == "bench-spread" and n % 2 == 1)
    run = _spread if spread else scenarios.enroll
    fixtures.wait("a quiet stack", lambda: _quiet(counted), timeout_s=60)
    created = None
    if ORDER == "alternate" or _after_creates(n):
        created = scenarios.create_participants(
            urls, headers, start=3_000_000 + n * 100_000, seconds=SECONDS)["per_second"]
        if not _after_creates(n):  # as `make bench` runs it now: once they drained
            fixtures.wait("a quiet stack", lambda: _quiet(counted), timeout_s=60)
    before, cpu = _every_process(counted, stack), fixtures.stack_cpu(stack)
    spies = _spy(stack, n)
    found = run(urls, headers, officers, sessions, seconds=SECONDS)
    for spy in spies:
        spy.wait()
    during = fixtures.cpu_per_request(cpu, fixtures.stack_cpu(stack), found["requests"])
    fixtures.wait("a quiet stack", lambda: _quiet(counted), timeout_s=60)
    spent = fixtures.cpu_per_request(cpu, fixtures.stack_cpu(stack), found["requests"])
    after = _every_process(counted, stack)
    made = {p: after[p] - before.get(p, Counter()) for p in after}
    return {"round": n, "order": ORDER, "after_creates": _after_creates(n), "spread": spread,
            "created_per_second": created, "uptime": os.getloadavg(),
            **{k: found[k] for k in ("per_second", "requests", "p50_ms", "p95_ms", "statuses")},
            "cpu_ms": during, "cpu_ms_with_aftermath": spent,
            "commands_per_enroll": {p: round(c.total() / found["requests"], 2)
                                    for p, c in made.items()},
            "shapes": {p: {k: round(v / found["requests"], 2)
                           for k, v in sorted(c.items(), key=lambda kv: -kv[1])}
                       for p, c in made.items()}}


def _spy(stack, n: int) -> list:
    """With py-spy's path as the 4th argument, sample the registration API's workers during round n
    (`--gil`: only while they hold the GIL, i.e. their Python CPU)."""
    if not PY_SPY:
        return []
    [master] = [p.popen.pid for p in stack.processes if p.name == "registration-api"]
    return [subprocess.Popen([PY_SPY, "record", "-p", str(pid), "-d",
                              str(int(SECONDS)), "-r", "200", "-f", "raw", "--gil",
                              "-o", f"{tempfile.gettempdir()}/spy-round{n}-{pid}.txt"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for pid in fixtures.children(master)]


def _quiet(counted) -> bool:
    """Fewer than 15 commands over the last look (0.8 s): the workers caught up."""
    now = commands.total(counted)
    time.sleep(0.8)
    return commands.total(counted) - now < 15


if __name__ == "__main__":
    main()
