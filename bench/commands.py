"""Database round trips of the whole stack, from the bench-only monitor in bench/monitoring."""

import json
import time
from pathlib import Path

MONITOR = Path(__file__).resolve().parent / "monitoring"
# Commands that are the driver's own housekeeping, not the services' work.
HOUSEKEEPING = {"hello", "isMaster", "ismaster", "ping", "endSessions", "buildInfo",
                "buildinfo", "getMore_cursor_kill", "killCursors"}


def env(directory: Path, pythonpath: str = "") -> dict:
    """What the services' processes need in their environment to be counted."""
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.json"):
        stale.unlink()
    return {"BENCH_COMMANDS_DIR": str(directory),
            "PYTHONPATH": ":".join(p for p in (str(MONITOR), pythonpath) if p)}


def total(directory: Path) -> int:
    """Commands sent so far by every counted process (housekeeping excluded)."""
    count = 0
    for path in directory.glob("*.json"):
        try:
            counts = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        count += sum(n for name, n in counts.items() if name.split()[0] not in HOUSEKEEPING)
    return count


def idle_rate(directory: Path, seconds: float = 6) -> float:
    """Commands per second while nothing is asked of the stack (its periodic sweeps)."""
    before = total(directory)
    time.sleep(seconds)
    time.sleep(0.6)  # the files are written twice a second
    return (total(directory) - before) / seconds


def per_email(directory: Path, drain, idle_per_second: float) -> dict:
    """Run ``drain`` (returns emails, seconds); commands per email beyond the idle rate."""
    before = total(directory)
    result = drain()
    time.sleep(0.6)
    commands = total(directory) - before - idle_per_second * result["seconds"]
    emails = max(result["emails"], 1)
    return {**result, "commands": round(commands), "idle_per_second": round(idle_per_second, 1),
            "round_trips_per_email": round(commands / emails, 1)}
