"""The whole local stack: Kafka, FerretDB and the SMTP sink, up, down and status."""

from __future__ import annotations

import contextlib
import fcntl
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from devstack.infra import ferretdb, kafka, paths, procs, smtp

COMPONENTS = ("kafka", "ferretdb", "smtp")
_MODULES = {"kafka": kafka, "ferretdb": ferretdb, "smtp": smtp}
Log = Callable[[str], None]


@dataclass
class Infra:
    kafka_bootstrap: str
    mongo_uri: str
    smtp_host: str
    smtp_port: int
    smtp_http_url: str | None
    started: list[str] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        """The variables that point services and tests at this infrastructure."""
        values = {
            "KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap,
            "MONGO_URI": self.mongo_uri,
            "SMTP_HOST": self.smtp_host,
            "SMTP_PORT": str(self.smtp_port),
        }
        if self.smtp_http_url:
            values["SMTP_HTTP_URL"] = self.smtp_http_url
        return values


state_dir = paths.state_dir


@contextlib.contextmanager
def _lock() -> Iterator[None]:
    """One `up` or `down` at a time per state directory."""
    with open(paths.run_dir() / "infra.lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def up(log: Log = procs.say) -> Infra:
    """Fetch or build what is missing, start what is not running, wait until ready, make topics.

    Raises ``InfraError`` (with the log tail and advice) if something cannot start; components
    that this call started before the failure are stopped again.
    """
    t0 = time.monotonic()
    started: list[str] = []
    with _lock():
        try:
            bootstrap, did = kafka.start(log)
            started += ["kafka"] if did else []
            step = time.monotonic()
            created = kafka.ensure_topics(
                bootstrap, replication_factor=int(paths.env("KAFKA_TOPIC_REPLICATION_FACTOR", "1"))
            )
            log(f"==> kafka: topics ready, {len(created)} created ({procs.seconds(step)})")
            mongo_uri, did = ferretdb.start(log)
            started += ["ferretdb"] if did else []
            smtp_host, smtp_port, http_url, did = smtp.start(log)
            started += ["smtp"] if did else []
        except BaseException:
            if started:
                log(f"==> stopping what this run started: {', '.join(started)}")
                for name in reversed(started):
                    _MODULES[name].stop(log)
            raise
    log(f"==> infrastructure ready ({procs.seconds(t0)})")
    return Infra(bootstrap, mongo_uri, smtp_host, smtp_port, http_url, started)


def down(components: list[str] | None = None, log: Log = procs.say) -> None:
    """Stop the given local components (None: all; an empty list: none).

    Stopping one that is not running is fine.
    """
    names = list(reversed(COMPONENTS)) if components is None else list(components)
    unknown = [n for n in names if n not in _MODULES]
    if unknown:
        raise ValueError(f"unknown component(s) {unknown}; choose from {list(COMPONENTS)}")
    with _lock():
        for name in names:
            if not _MODULES[name].stop(log):
                log(f"==> {name}: not running")


def status() -> list[dict]:
    """One dict per component: name, pid (None if not ours or not running), address, ready, log."""
    rows = []
    kafka_addr = kafka.bootstrap()
    mongo_uri = ferretdb.default_uri()
    smtp_host = paths.env("SMTP_HOST", paths.LOOPBACK)
    checks = {
        "kafka": (kafka_addr, lambda: kafka.ready(kafka_addr)),
        "ferretdb": (mongo_uri, lambda: ferretdb.ready(mongo_uri, 1.0)),
        "smtp": (f"{smtp_host}:{paths.smtp_port()}",
                 lambda: smtp.ready(smtp_host, paths.smtp_port(), 1.0)),
    }
    external = {"kafka": "KAFKA_BOOTSTRAP_SERVERS", "ferretdb": "MONGO_URI", "smtp": "SMTP_HOST"}
    for name in COMPONENTS:
        address, check = checks[name]
        module = _MODULES[name]
        row = {
            "name": name,
            "pid": procs.running_pid(name, module.TOKEN),
            "address": address,
            "ready": check(),
            "external": bool(paths.env(external[name])),
            "log": str(paths.log_file(name)),
        }
        if name == "smtp" and not row["external"]:
            row["http"] = smtp.local_http_url()
        rows.append(row)
    return rows


@dataclass
class Component:
    """A local component as the run supervisor sees it: running or not, and how to restart."""

    name: str
    log: Path

    def alive(self) -> bool:
        return procs.running_pid(self.name, _MODULES[self.name].TOKEN) is not None

    def restart(self) -> None:
        with _lock():
            _MODULES[self.name].start(procs.say)


def local_components() -> list[Component]:
    """The components running here from this state directory (external ones are not ours)."""
    return [Component(name, paths.log_file(name)) for name in COMPONENTS
            if procs.running_pid(name, _MODULES[name].TOKEN) is not None]
