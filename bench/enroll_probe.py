"""`python -m bench.enroll_probe`: enrollments alone, measured on a stack of their own.

What `make bench` measures for enrollments, without the rest of the run: database commands per
enroll and per page of `GET /enrollments` (exact: pymongo command monitoring in the registration
API's processes), enroll throughput with the bench's 8 clients over its 12 sessions of 50
officers, the listing's latency with 2 clients, and the seeder's enrollments per second.
Also the registration worker's commands while its sweep re-copies those enrollments.
Arguments: enrollments to seed (2000), the seeding budget in seconds (60), the seconds the
worker's sweep is counted after the 8 clients (35), the seconds the stack is watched idle after
seeding (65).

`commands_by_process` counts every process's commands (the workers' too) for 40 enrolls before
and after seeding, the stack idle after seeding, and 8 clients after seeding; with
BENCH_COMMANDS_DETAIL=shape each is named with its filter's shape ("find recipients {_id}") and
`ms_waited_by_process` says how long each kind waited for its answers.
"""

import json
import sys
import time
from collections import Counter
from pathlib import Path

import requests

from bench import commands, fixtures, loadgen, scenarios, seeding
from bench.counted_stack import CountedStack

SEED = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
SEED_S = float(sys.argv[2]) if len(sys.argv) > 2 else 60.0
IDLE_S = float(sys.argv[4]) if len(sys.argv) > 4 else 65.0  # the stack idle, after seeding
SWEEP_S = float(sys.argv[3]) if len(sys.argv) > 3 else 35.0  # the worker's sweep, counted



def _api_pids(stack) -> set[int]:
    """The registration API's gunicorn master and its workers."""
    [master] = [p.popen.pid for p in stack.processes if p.name == "registration-api"]
    children = set()
    for task in Path(f"/proc/{master}/task").iterdir():
        children |= {int(c) for c in (task / "children").read_text().split()}
    return {master, *children}


def _api_counts(counted: Path, pids: set[int], suffix: str = "json") -> Counter:
    count: Counter = Counter()
    for pid in pids:
        try:
            found = json.loads((counted / f"{pid}.{suffix}").read_text())
        except (OSError, ValueError):
            continue
        count.update({k: n for k, n in found.items() if k not in commands.HOUSEKEEPING})
    return count


def _worker_pid(stack) -> set[int]:
    return {p.popen.pid for p in stack.processes if p.name == "registration-worker"}


BY_NAME: dict[str, dict] = {}
BY_PROCESS: dict[str, dict] = {}
WAITED: dict[str, dict] = {}  # with BENCH_COMMANDS_DETAIL=shape: ms waited, by command


def _every_process(counted: Path, stack, suffix: str = "json") -> dict[str, Counter]:
    """Each process's commands so far (a gunicorn master with its workers), by name."""
    found = {}
    for process in stack.processes:
        pids = {process.popen.pid, *fixtures.children(process.popen.pid)}
        found[process.name] = _api_counts(counted, pids, suffix)
    return found


def _settle(counted: Path, quiet: int = 40, limit_s: float = 240) -> float:
    """Wait until the stack's workers are done with what seeding left (few commands in 3 s)."""
    began = time.monotonic()
    last = commands.total(counted)
    while time.monotonic() - began < limit_s:
        time.sleep(3)
        now = commands.total(counted)
        if now - last < quiet:
            break
        last = now
    return round(time.monotonic() - began, 1)


def _counted_everywhere(counted: Path, stack, work, label: str, settle_s: float = 4.0):
    """Every process's commands while ``work`` runs and the workers settle after it."""
    time.sleep(settle_s)
    before = _every_process(counted, stack)
    waited = _every_process(counted, stack, "json.micros")
    result = work()
    time.sleep(settle_s)
    after = _every_process(counted, stack)
    WAITED[label] = {name: {k: round(v / 1000) for k, v in sorted(
        (n - waited.get(name, Counter())).items(), key=lambda kv: -kv[1])}
        for name, n in _every_process(counted, stack, "json.micros").items()}
    BY_PROCESS[label] = {name: dict(sorted((after[name] - before.get(name, Counter())).items()))
                         for name in after}
    return result


def _counted(counted: Path, pids: set[int], work, label: str = "") -> tuple[float, object]:
    """The registration API's commands while ``work`` runs (it does nothing unasked)."""
    time.sleep(0.7)
    before = _api_counts(counted, pids)
    result = work()
    time.sleep(0.7)
    spent = _api_counts(counted, pids) - before
    BY_NAME[label] = dict(spent)
    return spent.total(), result


def main() -> None:
    out = {}
    with CountedStack("probe", "probe", pythonpath=sys.path[0], drop=False) as started:
        stack, counted, name = started.stack, started.counted, started.name
        headers = fixtures.coordinator_headers()
        urls = stack.urls
        registration = fixtures.Client(urls["registration"], headers)
        sessions_api = fixtures.Client(urls["sessions"], headers)
        officers = fixtures.officers(registration, 50, name)
        loaded = fixtures.sessions(sessions_api, registration, 27, "load")
        pids = _api_pids(stack)

        def one_by_one_into(session):
            def enroll_40():
                for officer in officers[:40]:
                    registration("POST", "/enrollments", json={
                        "participant_id": officer["id"], "session_id": session["id"]})
            return enroll_40

        def one_by_one():
            for officer in officers[:40]:
                registration("POST", "/enrollments", json={"participant_id": officer["id"],
                                                           "session_id": loaded[12]["id"]})
        spent, _ = _counted(counted, pids, one_by_one, "sequential 40")
        out["commands_per_enroll_sequential"] = round(spent / 40, 2)
        _counted_everywhere(counted, stack, one_by_one_into(loaded[13]), "every process, 40 before")
        def eight_clients():
            # As `make bench` reports it: the stack's CPU per enroll (the API's, the
            # database's, the workers' and Kafka's) while the clients run.
            before = fixtures.stack_cpu(stack)
            run = scenarios.enroll(urls, headers, officers, loaded[:12], seconds=5)
            return {**run, "cpu_ms": fixtures.cpu_per_request(before, fixtures.stack_cpu(stack),
                                                              run["requests"])}
        spent, run = _counted(counted, pids, eight_clients, "8 clients")
        out["enroll_8_clients"] = {k: run.get(k) for k in ("requests", "per_second", "p50_ms",
                                                           "p95_ms", "statuses", "cpu_ms")}
        out["commands_per_enroll_8_clients"] = round(spent / max(run["requests"], 1), 2)
        # The worker's sweep re-copies the sessions noted as changing (every 10 s, each on
        # several passes): its commands for the enrollments above, once it has settled.
        worker = _worker_pid(stack)
        time.sleep(1)
        swept = _api_counts(counted, worker)
        time.sleep(SWEEP_S)
        swept = _api_counts(counted, worker) - swept
        BY_NAME["worker after"] = dict(swept)
        out["worker_commands_per_enroll_after"] = round(swept.total() / max(
            run["requests"] + 40, 1), 2)

        print(json.dumps(out), flush=True)
        seeder = seeding.Seeder(urls, headers, name)
        seeder.prepare()
        seeder.add_participants(500, time.monotonic() + 120)
        began = time.monotonic()
        out["seeding"] = seeder.add_enrollments(SEED, time.monotonic() + SEED_S)
        out["seeding"]["wall_s"] = round(time.monotonic() - began, 1)
        print(json.dumps(out), flush=True)
        out["settled_after_seeding_s"] = _settle(counted)
        idle_before = _every_process(counted, stack)
        cpu_before = fixtures.stack_cpu(stack)
        time.sleep(5)
        out["idle_cpu_ms_per_s"] = {k: round(v / 5, 1) for k, v in fixtures.cpu_per_request(
            cpu_before, fixtures.stack_cpu(stack), 1).items()}
        BY_PROCESS["idle 5 s after seeding"] = {
            name: dict(n - idle_before[name]) for name, n in _every_process(counted, stack).items()}
        cpu_before = fixtures.stack_cpu(stack)
        _counted_everywhere(counted, stack, one_by_one_into(loaded[14]), "every process, 40 after",
                            settle_s=0.7)
        out["sequential_40_after_cpu_ms"] = fixtures.cpu_per_request(
            cpu_before, fixtures.stack_cpu(stack), 40)
        # The stack's background (outbox relays every 10-60 s, sweeps) over a minute, idle.
        cpu_before = fixtures.stack_cpu(stack)
        _counted_everywhere(counted, stack, lambda: time.sleep(IDLE_S), "idle after seeding",
                            settle_s=0)
        out["idle_minute_cpu_ms_per_s"] = {k: round(v / IDLE_S, 1) for k, v in
                                           fixtures.cpu_per_request(
                                               cpu_before, fixtures.stack_cpu(stack), 1).items()}
        eight = {}

        def eight_after():
            before = fixtures.stack_cpu(stack)
            eight.update(scenarios.enroll(urls, headers, officers, loaded[15:27], seconds=5))
            eight["cpu_ms"] = fixtures.cpu_per_request(before, fixtures.stack_cpu(stack),
                                                       eight["requests"])
        _counted_everywhere(counted, stack, eight_after, "8 clients after seeding", settle_s=0)
        out["enroll_8_clients_after"] = {k: eight.get(k) for k in (
            "requests", "per_second", "p50_ms", "p95_ms", "statuses", "cpu_ms")}
        print(json.dumps(out), flush=True)
        page = f"{urls['registration']}/enrollments?page_size=20"
        for _ in range(3):
            requests.get(page, headers=headers, timeout=300)

        def pages():
            for _ in range(20):
                answer = requests.get(page, headers=headers, timeout=60)
                assert answer.ok, answer.text
            return json.loads(answer.headers["X-Pagination"])["total"]
        spent, total = _counted(counted, pids, pages, "20 pages")
        out["enrollments_total"] = total
        out["commands_per_page"] = round(spent / 20, 2)
        run = loadgen.run(page, headers=headers, clients=2, seconds=5)
        out["page_2_clients"] = {k: run.get(k) for k in ("per_second", "p50_ms", "p95_ms")}
    out["commands_by_name"] = BY_NAME
    out["commands_by_process"] = BY_PROCESS
    out["ms_waited_by_process"] = WAITED
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
