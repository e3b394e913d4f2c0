"""Planning and changing sessions against a running sessions API: requests per second, one
client and eight, database commands per request, and the sessions page at the size reached.

    python -m bench.session_writes --url http://127.0.0.1:8002 --token T \\
        --commands-dir DIR [--seed 20000]

The API must run with bench/monitoring first on its PYTHONPATH and BENCH_COMMANDS_DIR=DIR
(see bench/commands.py), so its processes count their commands. Not part of `make bench`.
"""

import argparse
import json
import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from bench import commands, loadgen
from bench.seeding import Seeder

WORKSHOP = {"kind": "training_workshop", "timezone": "Asia/Karachi", "city": "Lahore",
            "country": "Pakistan", "capacity": 30}


def _body(n: int, **more) -> dict:
    return {**WORKSHOP, "title": f"Measured {n}",
            "starts_at": f"2032-03-{1 + n % 27:02d}T09:00:00Z",
            "ends_at": f"2032-03-{2 + n % 27:02d}T17:00:00Z", **more}


def _run(http, directory: Path, calls, clients: int) -> dict:
    """Each call in ``calls`` (a function of nothing) on ``clients`` threads: rate, latency,
    commands per call."""
    time.sleep(0.6)
    before = commands.total(directory)
    timings, statuses = [], []

    def one(call):
        began = time.perf_counter()
        answer = call()
        timings.append((time.perf_counter() - began) * 1000)
        statuses.append(answer.status_code)
        return answer

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        answers = list(pool.map(one, calls))
    seconds = time.perf_counter() - began
    time.sleep(1.2)  # the counting files are written twice a second
    counted = commands.total(directory) - before
    timings.sort()
    return {"requests": len(calls), "clients": clients, "ok": sum(s < 300 for s in statuses),
            "per_second": round(len(calls) / seconds, 1),
            "p50_ms": round(statistics.median(timings), 1),
            "p95_ms": round(timings[round(0.95 * (len(timings) - 1))], 1),
            "commands_per_request": round(counted / len(calls), 2), "answers": answers}


def measure(url: str, token: str, directory: Path, count: int) -> dict:
    headers = {"Authorization": f"Bearer {token}"}
    http = requests.Session()
    http.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=16))

    def post(path, body):
        return lambda: http.post(f"{url}{path}", json=body, headers=headers, timeout=120)

    found = {}
    for label, clients in (("draft, 1 client", 1), ("draft, 8 clients", 8)):
        found[label] = _run(http, directory, [post("/sessions", _body(n, draft=True))
                                              for n in range(count)], clients)
    programme = http.post(f"{url}/programmes", headers=headers, json={
        "name": "Measured programme", "donors": ["European Union"], "countries": ["Pakistan"],
        "period": {"starts_on": "2030-01-01", "ends_on": "2035-12-31"}}).json()
    series = [http.post(f"{url}/series", headers=headers, json={
        "programme_id": programme["id"], "title": f"Measured series {n}",
        "planned_sessions": 3}).json() for n in range(count)]
    for label, clients in (("scheduled in a series, 1 client", 1),
                           ("scheduled in a series, 8 clients", 8)):
        found[label] = _run(http, directory, [
            post("/sessions", _body(n, series_id=series[n]["id"])) for n in range(count)],
            clients)
    made = [a.json()["id"] for a in found["scheduled in a series, 8 clients"]["answers"]
            if a.status_code < 300]
    for label, clients in (("reschedule, 1 client", 1), ("reschedule, 8 clients", 8)):
        found[label] = _run(http, directory, [
            post(f"/sessions/{sid}/reschedule", {
                "starts_at": f"2033-0{1 + clients % 9}-{1 + n % 27:02d}T09:00:00Z",
                "ends_at": f"2033-0{1 + clients % 9}-{2 + n % 27:02d}T17:00:00Z"})
            for n, sid in enumerate(made)], clients)
    for result in found.values():
        result.pop("answers")
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--commands-dir", required=True, type=Path)
    parser.add_argument("--count", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0, help="grow to this many sessions first")
    args = parser.parse_args()
    headers = {"Authorization": f"Bearer {args.token}"}
    report = {}
    if args.seed:
        seeder = Seeder({"sessions": args.url}, headers, uuid.uuid4().hex[:6])
        report["seeding"] = seeder.add_draft_sessions(args.seed, time.monotonic() + 600)
    report.update(measure(args.url, args.token, args.commands_dir, args.count))
    listing = loadgen.run(f"{args.url}/sessions?page_size=20", headers=headers, clients=2,
                          seconds=5)
    total = requests.get(f"{args.url}/sessions?page_size=1", headers=headers, timeout=60)
    report["listing page"] = {"sessions": json.loads(total.headers["X-Pagination"])["total"],
                              **listing}
    print(json.dumps(report, indent=1, default=str))


if __name__ == "__main__":
    main()
