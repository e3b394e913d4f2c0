"""Results as JSON and as a markdown table, and BENCHMARKS.md."""

import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, {platform.platform()}"


def _row(name, figure, ratio=None, target=None, met=None) -> str:
    cells = [name, figure, ratio or "", target or "", "" if met is None else
             ("met" if met else "MISSED")]
    return "| " + " | ".join(cells) + " |"


def _http(result: dict) -> str:
    ok = sum(n for status, n in result["statuses"].items() if status.startswith("2"))
    return (f"{result['per_second']:.0f}/s ({ok} of {result['requests']} 2xx), "
            f"p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms, "
            f"p99 {result['p99_ms']:.1f} ms")


def rows(raw: dict) -> list[dict]:
    """The table: each figure, its ratio to the raw layer, its target and whether it was met."""
    inserts, flask = raw["pymongo"]["per_second"], raw["flask"]["per_second"]
    created = raw["create_participant"]
    table = [
        {"name": "raw pymongo insert_one (1 process)", "figure": f"{inserts:.0f}/s"},
        {"name": "raw Kafka produce-consume round trip",
         "figure": f"p50 {raw['kafka']['p50_ms']:.1f} ms, p99 {raw['kafka']['p99_ms']:.1f} ms"},
        {"name": "bare Flask endpoint (gunicorn)", "figure": _http(raw["flask"])},
    ]
    if "id_lookups" in raw:
        ids = raw["id_lookups"]
        table.append({"name": f"one document by `_id` among {ids['documents']:,} (median)",
                      "figure": f"find {ids['find_by_id_ms']} ms, update "
                                f"{ids['update_by_id_ms']} ms, update filtered on `_id` and "
                                f"one more field {ids['update_by_id_and_field_ms']} ms"})
    table += [
        {"name": "create a participant", "figure": _http(created),
         "ratio": f"{created['per_second'] / inserts:.0%} of raw inserts, "
                  f"{created['per_second'] / flask:.0%} of bare Flask",
         "target": ">= 50% of raw inserts", "met": created["per_second"] >= 0.5 * inserts},
        {"name": "enroll", "figure": _http(raw["enroll"]),
         "ratio": f"{raw['enroll']['per_second'] / flask:.0%} of bare Flask"},
        {"name": "record attendance", "figure": _http(raw["attendance"]),
         "ratio": f"{raw['attendance']['per_second'] / flask:.0%} of bare Flask"},
    ]
    backlog = raw["backlog_after_load"]
    left = (f"{backlog.get('unconsumed', 0)} events not consumed and {backlog['pending']} "
            "notifications not sent" if backlog.get("unconsumed") or backlog["pending"]
            else "all consumed and sent")
    table.append({"name": "notifications backlog left by the HTTP load, drained",
                  "figure": f"{left} after {backlog['seconds']} s"})
    for rate in (5, 20, 100):
        if f"pipeline_{rate}" not in raw:
            table.append({"name": f"enrollment to email accepted, {rate}/s offered",
                          "figure": "not measured: the backlog did not drain",
                          **({"target": "p99 < 250 ms, p50 < 50 ms", "met": False}
                             if rate == 20 else {})})
            continue
        p = raw[f"pipeline_{rate}"]
        row = {"name": f"enrollment to email accepted, {rate}/s offered",
               "figure": f"p50 {p['p50_ms']:.0f} ms, p95 {p['p95_ms']:.0f} ms, "
                         f"p99 {p['p99_ms']:.0f} ms ({p['emails']} of {p['enrollments']} "
                         "emails)",
               "ratio": f"p50 {p['p50_ms'] / raw['kafka']['p50_ms']:.0f}x a raw Kafka round "
                        "trip"}
        if rate == 20:
            row.update(target="p99 < 250 ms, p50 < 50 ms",
                       met=p["p99_ms"] < 250 and p["p50_ms"] < 50 and p["missing"] == 0)
        table.append(row)
    best = max(raw["scale"].values(), key=lambda r: r["per_second"])
    for count, result in raw["scale"].items():
        table.append({"name": f"notification pipeline, {count} worker(s)",
                      "figure": f"{result['per_second']:.0f} emails/s ({result['emails']} of "
                                f"{result['expected']} in {result['seconds']} s)",
                      **({"target": ">= 200 notifications/s",
                          "met": best["per_second"] >= 200} if result is best else {})})
    return table


def markdown(results: dict) -> str:
    took = f" (the whole run took {results['seconds'] / 60:.1f} minutes)" \
        if "seconds" in results else ""
    lines = [f"Measured {results['when']} on {results['machine']} with `make bench`{took}.", "",
             "| measure | figure | ratio to the raw layer | target | |",
             "|---|---|---|---|---|"]
    for row in results["rows"]:
        lines.append(_row(**row))
    idle, loaded = results["memory"]["idle"], results["memory"]["after_load"]
    peak = max([*idle.values(), *loaded.values()])
    lines += ["", f"Resident memory (MB); target < 150 MB per process: "
              f"{'met' if peak < 150 else 'MISSED'} (largest {peak:.0f} MB).", "",
              "| process | idle | after load |", "|---|---|---|"]
    for name in sorted(set(idle) | set(loaded)):
        lines.append(f"| {name} | {idle.get(name, '')} | {loaded.get(name, '')} |")
    return "\n".join(lines) + "\n"


def write(results: dict) -> Path:
    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (results_dir / f"{stamp}.json").write_text(json.dumps(results, indent=2))
    table = markdown(results)
    (results_dir / f"{stamp}.md").write_text(table)
    (results_dir / "latest.md").write_text(table)
    benchmarks = ROOT / "BENCHMARKS.md"
    text = benchmarks.read_text() if benchmarks.exists() else ""
    head, marker, _ = text.partition("<!-- latest -->")
    if not marker:
        head = "# Benchmarks\n\nRun `make bench` (about 5 minutes).\n\n"
    benchmarks.write_text(head + "<!-- latest -->\n" + table)
    return results_dir / f"{stamp}.json"
