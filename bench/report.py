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


def markdown(results: dict) -> str:
    lines = [f"Measured {results['when']} on {results['machine']} with `make bench`.", "",
             "| measure | figure | ratio to the raw layer | target | |",
             "|---|---|---|---|---|"]
    for row in results["rows"]:
        lines.append(_row(**row))
    lines += ["", "Resident memory (MB):", "", "| process | idle | after load |", "|---|---|---|"]
    idle, loaded = results["memory"]["idle"], results["memory"]["after_load"]
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
