"""Resident memory of the stack's processes, read from /proc."""

from pathlib import Path


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def snapshot(stack) -> dict[str, float]:
    """RSS in MB of every process: each gunicorn master and worker, each service worker."""
    sizes = {}
    for process in stack.processes:
        pid = process.popen.pid
        sizes[process.name] = rss_mb(pid)
        for n, child in enumerate(sorted(children(pid)), 1):
            sizes[f"{process.name} worker {n}"] = rss_mb(child)
    return {k: round(v, 1) for k, v in sizes.items() if v is not None}
