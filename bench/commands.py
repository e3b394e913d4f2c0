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


def background_of(name: str) -> str:
    """The background work a counted name was sent by ("outbox-relay"), "" for the requests'
    and events' own work (the monitor brackets it first: "[outbox-relay] update")."""
    return name[1:name.index("]")] if name.startswith("[") and "]" in name else ""


def _command(name: str) -> str:
    return name.split("] ", 1)[1] if background_of(name) else name


def total(directory: Path, background: bool | None = None) -> int:
    """Commands sent so far by every counted process (housekeeping excluded): all of them, or
    only the background work's (``background=True``), or only the rest (``False``)."""
    count = 0
    for path in directory.glob("*.json"):
        try:
            counts = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        count += sum(n for name, n in counts.items()
                     if _command(name).split()[0] not in HOUSEKEEPING
                     and (background is None or bool(background_of(name)) == background))
    return count


def idle_rate(directory: Path, seconds: float = 6) -> float:
    """Commands per second while nothing is asked of the stack (its periodic polls and
    sweeps), the outbox relays' emptying left out (it comes and goes with what was written
    a minute before: a rate taken while they emptied made the figure "not measurable")."""
    before = total(directory, background=False)
    time.sleep(seconds)
    time.sleep(0.6)  # the files are written twice a second
    return (total(directory, background=False) - before) / seconds


def per_email(directory: Path, drain, idle_per_second: float) -> dict:
    """Run ``drain`` (returns emails, seconds); commands per email beyond the idle rate, the
    outbox relays' emptying counted apart (``background_commands``: what they sent meanwhile,
    mostly emptying outboxes written before the drain)."""
    before, before_background = total(directory, False), total(directory, True)
    result = drain()
    time.sleep(0.6)
    commands = total(directory, False) - before - idle_per_second * result["seconds"]
    emails = max(result["emails"], 1)
    return {**result, "commands": round(commands), "idle_per_second": round(idle_per_second, 1),
            "background_commands": total(directory, True) - before_background,
            "round_trips_per_email": round(commands / emails, 1)}
