"""Detached processes with pid files, readiness polling, and log tails for error reports."""

from __future__ import annotations

import contextlib
import os
import pathlib
import signal
import socket
import subprocess
import time
from collections import deque
from collections.abc import Callable

from devstack.infra import paths


def say(message: str) -> None:
    """The default progress log: print at once, even into a pipe or a CI log."""
    print(message, flush=True)


class InfraError(RuntimeError):
    """A component could not be fetched, started or reached; the message says what to do."""


def spawn(name: str, cmd: list[str], *, cwd: pathlib.Path | None = None,
          extra_env: dict[str, str] | None = None) -> int:
    """Start ``cmd`` in its own session, output to logs/<name>.log, pid in run/<name>.pid."""
    log_path = paths.log_file(name)
    if log_path.exists() and log_path.stat().st_size:
        log_path.replace(log_path.with_name(log_path.name + ".1"))  # keep the previous run's log
    env = {**os.environ, **(extra_env or {})}
    with open(log_path, "ab") as log, open(os.devnull, "rb") as devnull:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=devnull, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
    paths.pid_file(name).write_text(f"{proc.pid}\n")
    return proc.pid


def alive(pid: int) -> bool:
    with contextlib.suppress(ChildProcessError, OSError):
        if os.waitpid(pid, os.WNOHANG)[0] == pid:  # our own child that exited: reap it
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is not alive
        stat = pathlib.Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def running_pid(name: str, token: str) -> int | None:
    """The pid in run/<name>.pid if that process lives and its command line contains ``token``."""
    try:
        pid = int(paths.pid_file(name).read_text().strip())
    except (OSError, ValueError):
        return None
    if not alive(pid):
        return None
    try:
        cmdline = pathlib.Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return pid
    return pid if token.encode() in cmdline else None  # the pid was reused by something else


def stop(name: str, token: str, *, timeout: float = 20.0,
         log: Callable[[str], None] = say) -> bool:
    """SIGTERM the process group of run/<name>.pid, SIGKILL after ``timeout``. True if it ran."""
    pid = running_pid(name, token)
    paths_pid = paths.pid_file(name)
    if pid is None:
        paths_pid.unlink(missing_ok=True)
        return False
    t0 = time.monotonic()
    _signal_group(pid, signal.SIGTERM)
    while alive(pid) and time.monotonic() - t0 < timeout:
        time.sleep(0.1)
    if alive(pid):
        log(f"    {name}: still running after {timeout:.0f}s, sending SIGKILL")
        _signal_group(pid, signal.SIGKILL)
        while alive(pid) and time.monotonic() - t0 < timeout + 5:
            time.sleep(0.1)
    paths_pid.unlink(missing_ok=True)
    log(f"==> {name}: stopped pid {pid} ({time.monotonic() - t0:.1f}s)")
    return True


def _signal_group(pid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        return
    except PermissionError:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_until(ready: Callable[[], bool], *, deadline_s: float, pid: int | None = None,
               interval: float = 0.5) -> bool:
    """Poll ``ready`` until it is true or ``deadline_s`` passes; give up early if ``pid`` dies."""
    end = time.monotonic() + deadline_s
    while True:
        if ready():
            return True
        if pid is not None and not alive(pid):
            return ready()
        if time.monotonic() >= end:
            return False
        time.sleep(interval)


def tail(path: pathlib.Path, lines: int = 30) -> str:
    try:
        with open(path, errors="replace") as f:
            return "".join(deque(f, maxlen=lines))
    except OSError:
        return f"(no log at {path})\n"


def failure(name: str, what: str, advice: str) -> InfraError:
    """An error carrying the last lines of the component's log and what to do next."""
    log_path = paths.log_file(name)
    try:
        shown = log_path.relative_to(paths.REPO_ROOT)
    except ValueError:
        shown = log_path
    return InfraError(
        f"{name}: {what}\n--- last lines of {shown} ---\n{tail(log_path).rstrip()}\n---\n"
        f"{advice}; see {shown}"
    )


def seconds(t0: float) -> str:
    return f"{time.monotonic() - t0:.1f}s"
