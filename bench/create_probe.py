"""Where a participant's create spends its CPU: `make bench`'s create, with py-spy on the
registration API's workers and the notifications worker, and the stack's CPU by process.

    GLO_ACT_ENV=development .venv/bin/python -m bench.create_probe PY_SPY [seconds]

PY_SPY is py-spy's path (installed in the venv by hand, `pip install py-spy==0.4.3`: not a
dependency). Starts the infrastructure if needed and a stack of its own (dropped after), warms
it with 3 s of creates, waits until it is quiet, then creates for ``seconds`` (10) with the
bench's 8 clients while py-spy samples (`--gil`: the Python CPU). Prints JSON: the rate, the
stack's CPU per create by process (`bench.fixtures.cpu_per_request`) and, per profiled
process, the share of its samples in each part of the code (the innermost frame's package)
and in the project's own functions (inclusive).
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench import commands, fixtures, scenarios
from bench.counted_stack import CountedStack

PROFILED = ("registration-api", "notifications-worker")


def part_of(frame: str) -> str:
    """The package a py-spy frame ("name (path:line)") belongs to: the project's service or
    common module, or the library's top-level package (py-spy shortens an installed module's
    path to "kafka/producer/sender.py"), or "python" for a module of the standard library."""
    path = frame.rsplit("(", 1)[-1].split(":", 1)[0]
    path = path.split("site-packages/", 1)[-1]
    for root in ("services/", "common/", "bench/"):
        if path.startswith(root) or f"/{root}" in path:
            tail = path.split(root, 1)[1]
            return root + tail.split("/", 1)[0].removesuffix(".py")
    if path.startswith("/") or "/" not in path:
        return "python"
    return path.split("/", 1)[0]


def summary(raw: str, top: int = 12) -> dict:
    """Of py-spy's collapsed stacks (`-f raw`): samples, and the shares (%) of the innermost
    frame's part and of the project's functions anywhere in the stack."""
    leaf, project, samples = Counter(), Counter(), 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames, n = stack.split(";"), int(count)
        samples += n
        leaf[part_of(frames[-1])] += n
        for name in {f.split(" (", 1)[0] + " " + part_of(f) for f in frames
                     if part_of(f).startswith(("services/", "common/"))}:
            project[name] += n
    share = lambda c: {k: round(100 * v / max(samples, 1), 1)  # noqa: E731
                       for k, v in c.most_common(top)}
    return {"samples": samples, "innermost_part_pct": share(leaf),
            "project_functions_pct": share(project)}


def _quiet(counted) -> bool:
    now = commands.total(counted)
    time.sleep(0.8)
    return commands.total(counted) - now < 15


def main(argv: list[str]) -> None:
    spy_path = argv[0] if argv else None
    seconds = float(argv[1]) if len(argv) > 1 else 10.0
    with CountedStack("create", "create-probe", pythonpath=sys.path[0]) as started:
        stack, counted, urls = started.stack, started.counted, started.stack.urls
        headers = fixtures.coordinator_headers()
        scenarios.create_participants(urls, headers, start=5_000_000, seconds=3)
        fixtures.wait("a quiet stack", lambda: _quiet(counted), timeout_s=60)
        pids = {name: [p.popen.pid, *fixtures.children(p.popen.pid)]
                for name in PROFILED for p in stack.processes if p.name == name}
        folder = Path(tempfile.mkdtemp(prefix="create-probe-"))
        spies = [(name, pid, subprocess.Popen(
            [spy_path, "record", "-p", str(pid), "-d", str(int(seconds)), "-r", "200", "-f", "raw",
             "--gil", "-o", str(folder / f"{name}-{pid}.txt")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            for name, found in pids.items() for pid in found] if spy_path else []
        cpu = fixtures.stack_cpu(stack)
        made = scenarios.create_participants(urls, headers, start=6_000_000, seconds=seconds)
        for *_, spy in spies:
            spy.wait()
        ok = sum(n for status, n in made["statuses"].items() if str(status)[0] == "2")
        during = fixtures.cpu_per_request(cpu, fixtures.stack_cpu(stack), ok)
        profiles = {}
        for name, pid, _ in spies:
            path = folder / f"{name}-{pid}.txt"
            if path.exists() and path.stat().st_size:
                profiles[f"{name} {pid}"] = summary(path.read_text())
        print(json.dumps({"per_second": made["per_second"], "created": ok,
                          "p50_ms": made["p50_ms"], "load": os.getloadavg(),
                          "cpu_ms_per_create": during, "profiles": profiles,
                          "raw_profiles": str(folder)}, indent=1), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
