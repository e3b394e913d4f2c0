"""Starting the three services as deployed (a gunicorn API and a worker process each), and the
console (a gunicorn app, no worker) when a port is given for it."""

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

SERVICES = ("registration", "sessions", "notifications")
DEFAULT_PORTS = {"registration": 8001, "sessions": 8002, "notifications": 8003}
PORT_VARS = {"registration": "REGISTRATION_PORT", "sessions": "SESSIONS_PORT",
             "notifications": "NOTIFICATIONS_PORT", "console": "CONSOLE_PORT"}
DEFAULT_PORTS["console"] = 8000


def ports_from_env() -> dict[str, int]:
    """The three services' ports and the console's."""
    return {s: int(os.environ.get(PORT_VARS[s]) or DEFAULT_PORTS[s])
            for s in (*SERVICES, "console")}


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path


@dataclass
class Stack:
    """The running service processes and where to reach them."""

    urls: dict[str, str]
    log_dir: Path
    processes: list[Process] = field(default_factory=list)
    console_url: str | None = None

    def dead(self) -> list[Process]:
        return [p for p in self.processes if p.popen.poll() is not None]


def api_command(service: str, port: int, workers: int) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers), "--worker-class", "gthread", "--threads", "4",
            "--graceful-timeout", "20", "--timeout", "60", "--log-level", "warning",
            f"services.{service}.app:create_app()"]


def worker_command(service: str) -> list[str]:
    return [sys.executable, "-m", f"services.{service}.worker"]


def start(env: dict[str, str], ports: dict[str, int], log_dir: Path,
          api_workers: int | None = None) -> Stack:
    """Start every API and worker with ``env`` added to this process's environment."""
    log_dir.mkdir(parents=True, exist_ok=True)
    full_env = {**os.environ, **env}
    workers = api_workers or int(os.environ.get("API_WORKERS") or os.cpu_count() or 2)
    stack = Stack(urls={s: f"http://127.0.0.1:{ports[s]}" for s in SERVICES}, log_dir=log_dir)
    for service in SERVICES:
        # One metrics directory per service: its /metrics adds up the API workers and the worker.
        metrics_dir = log_dir.parent / "metrics" / service
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True)
        service_env = {**full_env, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
        for name, command in ((f"{service}-api", api_command(service, ports[service], workers)),
                              (f"{service}-worker", worker_command(service))):
            log = log_dir / f"{name}.log"
            with open(log, "ab") as out:
                popen = subprocess.Popen(command, env=service_env, stdout=out,
                                         stderr=subprocess.STDOUT, start_new_session=True,
                                         cwd=Path(__file__).resolve().parents[1])
            stack.processes.append(Process(name, popen, log))
    if "console" in ports:
        _start_console(stack, full_env, ports["console"], log_dir)
    return stack


def _start_console(stack: Stack, env: dict[str, str], port: int, log_dir: Path) -> None:
    """The console talks to the APIs just started; locally it runs in development mode."""
    console_env = {**env, "GLO_ACT_ENV": env.get("GLO_ACT_ENV") or "development",
                   **{f"{s.upper()}_URL": url for s, url in stack.urls.items()}}
    log = log_dir / "console.log"
    with open(log, "ab") as out:
        popen = subprocess.Popen(api_command("console", port, 2), env=console_env, stdout=out,
                                 stderr=subprocess.STDOUT, start_new_session=True,
                                 cwd=Path(__file__).resolve().parents[1])
    stack.processes.append(Process("console", popen, log))
    stack.console_url = f"http://127.0.0.1:{port}"


def wait_ready(stack: Stack, timeout_s: float = 60.0) -> None:
    """Wait until every API answers /health/ready; raise naming the laggard and its log."""
    deadline = time.monotonic() + timeout_s
    pending = dict(stack.urls)
    if stack.console_url:
        pending["console"] = stack.console_url
    while pending:
        for dead in stack.dead():
            raise RuntimeError(f"{dead.name} exited with {dead.popen.returncode}; "
                               f"see {dead.log}:\n{tail(dead.log)}")
        for service, url in list(pending.items()):
            try:
                if requests.get(f"{url}/health/ready", timeout=2).status_code == 200:
                    del pending[service]
            except requests.RequestException:
                pass
        if pending and time.monotonic() > deadline:
            name = next(iter(pending))
            log = name + ("" if name == "console" else "-api") + ".log"
            raise RuntimeError(f"{name} not ready after {timeout_s:.0f}s; see "
                               f"{stack.log_dir / log}")
        if pending:
            time.sleep(0.3)


def stop(stack: Stack, timeout_s: float = 25.0) -> None:
    """SIGTERM every process (workers finish their message and commit), then SIGKILL."""
    for process in stack.processes:
        if process.popen.poll() is None:
            os.killpg(process.popen.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    for process in stack.processes:
        try:
            process.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.popen.pid, signal.SIGKILL)
            process.popen.wait()


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
