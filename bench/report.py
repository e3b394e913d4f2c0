"""Results as JSON and as a markdown table, and BENCHMARKS.md."""

import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path

from bench import relay_work

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


def _cpu(result: dict) -> str:
    """The stack's CPU per request, by its largest parts: what bounds the rate on 2 cores."""
    cpu = result.get("cpu_ms")
    if not cpu:
        return ""
    parts = ", ".join(f"{name} {ms}" for name, ms in list(cpu.items())[1:5])
    return (f"; CPU {cpu['all']} ms a request across the stack ({parts}): at most "
            f"{2000 / max(cpu['all'], 1e-9):.0f}/s on 2 cores")


def _met(row: dict, met: bool | None) -> dict:
    return {**row, "met": met}


def _ok(result: dict) -> int:
    return sum(n for status, n in result.get("statuses", {}).items() if status.startswith("2"))


def _sized(raw: dict) -> tuple[dict, dict]:
    return raw["sizes"]["small"], raw["sizes"]["large"]


def size_rows(raw: dict) -> list[dict]:
    """Each figure at both sizes and its cost ratio large/small (target <= 1.5)."""
    small, large = _sized(raw)
    table = []

    def add(name, figure, cost_small, cost_large, extra_target=None, extra_met=None):
        ratio = cost_large / cost_small if cost_small else float("nan")
        target = "large/small <= 1.5" + (f"; {extra_target}" if extra_target else "")
        met = ratio <= 1.5 and (extra_met is None or extra_met)
        table.append({"name": name, "small": figure(small), "large": figure(large),
                      "ratio": f"{ratio:.2f}", "target": target, "met": met})

    for key, name in (("create_participant", "create a participant"), ("enroll", "enroll"),
                      ("attendance_mark", "record one officer's attendance")):
        add(name, lambda size, k=key: _http(size[k]),
            1 / max(small[key]["per_second"], 1e-9), 1 / max(large[key]["per_second"], 1e-9))
    day_small, day_large = small["attendance_day"], large["attendance_day"]
    if "error" in day_small or "error" in day_large:
        table.append({"name": "a day's attendance in one request", "small": str(day_small),
                      "large": str(day_large), "target": "p95 <= 300 ms", "met": False})
    else:
        add(f"a day's attendance for {day_small['officers']} officers in one request",
            lambda size: f"p50 {size['attendance_day']['p50_ms']:.0f} ms, "
                         f"p95 {size['attendance_day']['p95_ms']:.0f} ms "
                         f"({size['attendance_day']['requests']} days)",
            day_small["p50_ms"], day_large["p50_ms"], "p95 <= 300 ms",
            day_large["p95_ms"] <= 300)
    for name in small["listings"]:
        add(f"listing page: {name}",
            lambda size, n=name: _http(size["listings"][n]),
            small["listings"][name]["p50_ms"], large["listings"][name]["p50_ms"],
            "p95 <= 50 ms at the large size", large["listings"][name]["p95_ms"] <= 50)
    drained = all(size["pipeline"]["emails"] >= size["pipeline"]["expected"]
                  for size in (small, large))
    add("pipeline, 1 worker (met only if both drained every email)",
        lambda size: f"{size['pipeline']['per_second']:.0f} emails/s "
                     f"({size['pipeline']['emails']} of {size['pipeline']['expected']})",
        1 / max(small["pipeline"]["per_second"], 1e-9),
        1 / max(large["pipeline"]["per_second"], 1e-9), extra_met=drained)
    return table


def _fanout(result: dict, first_s: float | None, last_s: float) -> tuple[str, bool]:
    if "error" in result:
        return f"request refused: {result['error']}", False
    first = "none" if result["first_s"] is None else f"{result['first_s']:.1f} s"
    last = (f"{result['last_s']:.1f} s" if result["last_s"] is not None
            else f"not all within {result['waited_s']} s")
    figure = (f"first {first}, last {last} ({result['emails']} of {result['officers']} "
              f"officers emailed; the request took {result['request_s']:.2f} s)")
    met = result["last_s"] is not None and result["last_s"] <= last_s and (
        first_s is None or (result["first_s"] is not None and result["first_s"] <= first_s))
    return figure, met


def rows(raw: dict) -> list[dict]:
    """The targets of issue 13: each figure, its ratio to the raw layer, target and met."""
    inserts, flask = raw["pymongo"]["per_second"], raw["flask"]["per_second"]
    small, large = _sized(raw)
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
    created, enroll = small["create_participant"], small["enroll"]
    table += [
        _met({"name": "create a participant (small size)",
              "figure": _http(created) + _cpu(created),
              "ratio": f"{created['per_second'] / inserts:.0%} of raw inserts",
              "target": ">= 30% of raw inserts"}, created["per_second"] >= 0.3 * inserts),
        _met({"name": "enroll (small size)", "figure": _http(enroll) + _cpu(enroll),
              "ratio": f"{enroll['per_second'] / flask:.0%} of bare Flask",
              "target": ">= 100/s"}, enroll["per_second"] >= 100),
    ]
    day = large["attendance_day"]
    table.append(_met({"name": "a day's attendance for 50 officers, one request (large size)",
                       "figure": day.get("error") or f"p50 {day['p50_ms']:.0f} ms, "
                                                     f"p95 {day['p95_ms']:.0f} ms "
                                                     f"({day['requests']} days)",
                       "target": "p95 <= 300 ms"}, "error" not in day and day["p95_ms"] <= 300))
    for name, result in large["listings"].items():
        table.append(_met({"name": f"listing page at the large size: {name}",
                           "figure": _http(result), "target": "p95 <= 50 ms"},
                          result["p95_ms"] <= 50 and _ok(result) == result["requests"]))
    for count, fan in sorted(raw["fanout"].items(), key=lambda kv: -int(kv[0])):
        for action in ("reschedule", "cancel"):
            if int(count) > 24:
                figure, met = _fanout(fan[action], 1, 15)
                target = "first <= 1 s, last <= 15 s"
            else:
                figure, met = _fanout(fan[action], None, 2)
                target = "all <= 2 s"
            table.append(_met({"name": f"fan-out: {action} a session with {count} officers, "
                                       "request to emails accepted",
                               "figure": figure, "target": target}, met))
    p = raw["pipeline_20"]
    figure = (f"p50 {p['p50_ms']:.0f} ms, p95 {p['p95_ms']:.0f} ms, p99 {p['p99_ms']:.0f} ms "
              f"({p['emails']} of {p['enrollments']} emails)" if p["emails"] else
              f"none of {p['enrollments']} emails within 60 s")
    table.append(_met({"name": "enrollment to email accepted, 20/s offered", "figure": figure,
                       "ratio": f"p50 {p['p50_ms'] / raw['kafka']['p50_ms']:.0f}x a raw Kafka "
                                "round trip" if p["emails"] else "",
                       "target": "p99 <= 500 ms"}, p["p99_ms"] <= 500 and p["missing"] == 0))
    one, two = large["pipeline"], raw["pipeline_2_workers"]
    table += [
        _met({"name": "notification pipeline, 1 worker (large size)",
              "figure": f"{one['per_second']:.0f} emails/s ({one['emails']} of "
                        f"{one['expected']} in {one['seconds']} s)",
              "target": ">= 100 emails/s"}, one["per_second"] >= 100),
        _met({"name": "notification pipeline, 2 workers (large size)",
              "figure": f"{two['per_second']:.0f} emails/s ({two['emails']} of "
                        f"{two['expected']} in {two['seconds']} s)",
              "ratio": f"{two['per_second'] / max(one['per_second'], 1e-9):.2f}x one worker",
              "target": ">= 1.6x one worker"},
             two["per_second"] >= 1.6 * one["per_second"]),
    ]
    for label, drained in (("small size, 1 worker", small["pipeline"]),
                           ("large size, 1 worker", one), ("large size, 2 workers", two)):
        complete = drained["emails"] >= drained["expected"] and drained["commands"] > 0
        figure = (f"{drained['round_trips_per_email']} ({drained['commands']} commands over "
                  f"{drained['seconds']} s beyond the idle {drained['idle_per_second']}/s, "
                  "whole stack" + _relays_apart(drained) + ")")
        if not complete:
            figure = (f"not measurable: {drained['emails']} of {drained['expected']} emails, "
                      f"{drained['commands']} commands beyond an idle rate of "
                      f"{drained['idle_per_second']}/s (the stack was not quiet)")
        table.append(_met({"name": f"database round trips per email ({label})",
                           "figure": figure, "target": "<= 6"},
                          complete and drained["round_trips_per_email"] <= 6))
    return table


def markdown(results: dict) -> str:
    took = f" (the whole run took {results['seconds'] / 60:.1f} minutes)" \
        if "seconds" in results else ""
    lines = [f"Measured {results['when']} on {results['machine']} with `make bench`{took}.", "",
             "| measure | figure | ratio to the raw layer | target | |",
             "|---|---|---|---|---|"]
    for row in results["rows"]:
        lines.append(_row(**row))
    if "seconds" in results:
        lines.append(_row("the whole bench", f"{results['seconds'] / 60:.1f} minutes",
                          target="< 10 minutes", met=results["seconds"] < 600))
    if results.get("phases"):
        lines += ["", "Where the time went (the longest phases): " + "; ".join(
            f"{p['phase']} {p['seconds']:.0f} s" for p in results["phases"][:10]) + "."]
    lines += _sizes(results["raw"]) + relay_work.report_lines(results["raw"])
    idle, loaded = results["memory"]["idle"], results["memory"]["after_load"]
    peak = max([*idle.values(), *loaded.values()])
    lines += ["", f"Resident memory (MB); target < 150 MB per process: "
              f"{'met' if peak < 150 else 'MISSED'} (largest {peak:.0f} MB).", "",
              "| process | idle | after load |", "|---|---|---|"]
    for name in sorted(set(idle) | set(loaded)):
        lines.append(f"| {name} | {idle.get(name, '')} | {loaded.get(name, '')} |")
    return "\n".join(lines) + "\n"


def _sizes(raw: dict) -> list[str]:
    small, large = _sized(raw)
    held = {label: raw["sizes"][label]["seeding"]["totals"] for label in ("small", "large")}

    def shown(totals: dict) -> str:
        return ", ".join(f"{n:,} {what}" if n is not None else f"? {what} (no answer)"
                         for what, n in totals.items())

    lines = ["", "Cost at two sizes of the data (ratio: cost per operation or p50 latency at "
             "the large size over the small).", "",
             f"- small: {shown(held['small'])}",
             f"- large: {shown(held['large'])} (targets {raw['plan']['small']:,} and "
             f"{raw['plan']['large']:,} each; seeding stops at its budget of "
             f"{raw['plan']['seed_budget_s']:.0f} s per size)"]
    for label in ("small", "large"):
        seeded = raw["sizes"][label]["seeding"]
        made = "; ".join(f"{what} {seeded[what]['made']} at {seeded[what]['per_second']}/s"
                         for what in ("participants", "sessions", "enrollments"))
        left = seeded["drained"]
        lines.append(f"- seeding {label} through the APIs (officers imported for the record: "
                     f"no acknowledgements): {made}; then the notifications backlog: "
                     f"{left['unconsumed']} events not consumed and {left['pending']} "
                     f"notifications not sent"
                     + (", registration's enrollment sweep still busy"
                        if left.get("sweeping") else ", registration's enrollment sweep idle"
                        if "sweeping" in left else "")
                     + f" after {left['seconds']} s (budget "
                     f"{raw['plan'].get('seed_drain_s', raw['plan']['drain_s']):.0f} s)")
    lines += ["", "| measure | small | large | large/small | target | |",
              "|---|---|---|---|---|---|"]
    for row in size_rows(raw):
        lines.append("| " + " | ".join([row["name"], row["small"], row["large"], row["ratio"],
                                         row["target"], "met" if row["met"] else "MISSED"])
                     + " |")
    return lines


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


def _relays_apart(drained: dict) -> str:
    """What the outbox relays' emptying sent meanwhile, counted apart (a run from before they
    were told apart has no such count)."""
    if "background_commands" not in drained:
        return ""
    return (f"; the outbox relays' emptying counted apart: {drained['background_commands']} "
            "commands meanwhile")
