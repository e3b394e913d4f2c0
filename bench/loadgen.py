"""The Go load generator (bench/loadgen): built once per source version, run per scenario."""

import hashlib
import json
import subprocess
from pathlib import Path

from devstack.infra.paths import cache_dir

SOURCE = Path(__file__).resolve().parent / "loadgen"


def binary() -> Path:
    """Build the load generator if its source changed; return its path."""
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in sorted(SOURCE.glob("*.go*"))))
    target = cache_dir() / "loadgen" / digest.hexdigest()[:16] / "loadgen"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["go", "build", "-o", str(target), "."], cwd=SOURCE, check=True)
    return target


def run(url: str = "", *, method: str = "GET", body: str = "", headers: dict | None = None,
        clients: int = 8, seconds: float = 10, rate: float = 0, start: int = 0,
        requests_file: str | None = None) -> dict:
    """One load run; returns loadgen's JSON (requests, per_second, p50/p95/p99 ms, statuses).

    ``requests_file``: JSON lines of {method, url, body}, one per request, instead of one URL.
    """
    command = [str(binary()), "-url", url, "-method", method, "-body", body,
               "-clients", str(clients), "-duration", f"{seconds}s", "-rate", str(rate),
               "-start", str(start)]
    if requests_file:
        command += ["-requests", requests_file]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    completed = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(completed.stdout)
