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

from common.config import service_port
from devstack.infra import paths

SERVICES = ("registration", "sessions", "notifications")
REPO_ROOT = Path(__file__).resolve().parents[1]


def ports_from_env() -> dict[str, int]:
    """The three services' ports and the console's (`<SERVICE>_PORT`, see `common.config`)."""
    return {s: service_port(s) for s in (*SERVICES, "console")}


@dataclass
class Process:
    """One API or worker process, with what it takes to start it again."""

    name: str
    popen: subprocess.Popen
    log: Path
    command: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    pid_file: Path | None = None

    def alive(self) -> bool:
        return self.popen.poll() is None

    def restart(self) -> None:
        """Start the same command again, in place of the exited one."""
        try:  # what is left of its group, e.g. gunicorn workers of a killed master, holds the port
            os.killpg(self.popen.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.popen = _spawn(self.command, self.env, self.log, self.pid_file)


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


def _spawn(command: list[str], env: dict[str, str], log: Path,
           pid_file: Path | None) -> subprocess.Popen:
    with open(log, "ab") as out:
        popen = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT,
                                 start_new_session=True, cwd=REPO_ROOT)
    if pid_file is not None:  # for `make infra-status`
        pid_file.write_text(f"{popen.pid}\n")
    return popen


def start(env: dict[str, str], ports: dict[str, int], log_dir: Path,
          api_workers: int | None = None, pid_dir: Path | None = None) -> Stack:
    """Start every API and worker with ``env`` added to this process's environment.

    With ``pid_dir``, each process's pid is kept in ``<pid_dir>/<name>.pid`` (`make run` does).
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    # Sessions asks registration for its list of agencies when a series names some.
    full_env = {**os.environ, "REGISTRATION_URL": f"http://127.0.0.1:{ports['registration']}",
                **env}
    workers = api_workers or paths.api_workers()
    stack = Stack(urls={s: f"http://127.0.0.1:{ports[s]}" for s in SERVICES}, log_dir=log_dir)
    # Certificates' QR codes point at this stack's public verification unless told otherwise.
    full_env.setdefault("CERTIFICATE_VERIFY_BASE_URL", f"{stack.urls['sessions']}/certificates/")
    for service in SERVICES:
        # One metrics directory per service: its /metrics adds up the API workers and the worker.
        metrics_dir = log_dir.parent / "metrics" / service
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True)
        # Notifications asks registration and sessions for contact details (events carry none).
        service_env = {**full_env, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
                       "REGISTRATION_URL": stack.urls["registration"],
                       "SESSIONS_URL": stack.urls["sessions"]}
        for name, command in ((f"{service}-api", api_command(service, ports[service], workers)),
                              (f"{service}-worker", worker_command(service))):
            log = log_dir / f"{name}.log"
            pid_file = pid_dir / f"{name}.pid" if pid_dir is not None else None
            popen = _spawn(command, service_env, log, pid_file)
            stack.processes.append(Process(name, popen, log, command, service_env, pid_file))
    if "console" in ports:
        _start_console(stack, full_env, ports["console"], log_dir, pid_dir)
    return stack


def _start_console(stack: Stack, env: dict[str, str], port: int, log_dir: Path,
                   pid_dir: Path | None) -> None:
    """The console talks to the APIs just started; locally it runs in development mode."""
    console_env = {**env, "GLO_ACT_ENV": env.get("GLO_ACT_ENV") or "development",
                   **{f"{s.upper()}_URL": url for s, url in stack.urls.items()}}
    log = log_dir / "console.log"
    command = api_command("console", port, 2)
    pid_file = pid_dir / "console.pid" if pid_dir is not None else None
    popen = _spawn(command, console_env, log, pid_file)
    stack.processes.append(Process("console", popen, log, command, console_env, pid_file))
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
        if process.pid_file is not None:
            process.pid_file.unlink(missing_ok=True)


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def status(ports: dict[str, int], timeout_s: float = 1.0) -> list[dict]:
    """One row per API (does /health/ready answer 200?) and per worker (is its process running?),
    the pids from the pid files `make run` keeps; for `make infra-status`."""
    from devstack.infra import procs

    rows = []
    for service in SERVICES:
        url = f"http://127.0.0.1:{ports[service]}"
        reason = None
        try:
            answer = requests.get(f"{url}/health/ready", timeout=timeout_s)
            if answer.status_code != 200:
                reason = "; ".join(answer.json().get("reasons", [])) or f"HTTP {answer.status_code}"
        except (requests.RequestException, ValueError) as exc:
            reason = f"no answer ({type(exc).__name__})"
        rows.append({"name": f"{service}-api", "address": url, "ready": reason is None,
                     "reason": reason, "pid": procs.running_pid(f"{service}-api", "gunicorn")})
        pid = procs.running_pid(f"{service}-worker", f"services.{service}.worker")
        rows.append({"name": f"{service}-worker", "address": "-", "ready": pid is not None,
                     "reason": None if pid else "not running", "pid": pid})
    return rows
