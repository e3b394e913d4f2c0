"""Who holds a claim: a worker process that another worker on the same host can tell is dead.

A claim records its holder: the host (hostname and kernel boot id), the pid and the process's
start time. A worker restarted after a crash (by `make run` or compose's `restart:`) runs on the
same host, sees that the holder's pid is gone or is now another process (a container restarts
as pid 1 again, with a new start time) and takes the claim back at once instead of waiting out
the lease. A holder on another host cannot be checked: its lease is waited out as before.
"""

import os
import socket
from pathlib import Path


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return "unknown-boot"


def _started(pid: int) -> int | None:
    """The process's start time in clock ticks since boot, None if there is no such process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[19])  # field 22, counted after the command name


HOST = f"{socket.gethostname()}/{_boot_id()}"


def me() -> dict:
    """This process as a claim holder."""
    pid = os.getpid()
    return {"host": HOST, "pid": pid, "started": _started(pid)}


def dead(holder: dict | None) -> bool:
    """True only when ``holder`` ran on this host and that process no longer runs."""
    if not holder or holder.get("host") != HOST or holder.get("started") is None:
        return False
    return _started(holder["pid"]) != holder["started"]
