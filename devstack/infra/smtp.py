"""Lifecycle of the local SMTP sink (see smtp_sink.py), or a check of an external SMTP server."""

from __future__ import annotations

import smtplib
import sys
import time
import urllib.request
from collections.abc import Callable

from devstack.infra import paths, procs
from devstack.infra.procs import InfraError

NAME = "smtp"
TOKEN = "devstack.infra.smtp_sink"  # noqa: S105 - the module name in its command line
READY_DEADLINE_S = 20
Log = Callable[[str], None]


def ready(host: str, port: int, timeout_s: float = 2.0) -> bool:
    """True if an SMTP server at host:port answers NOOP."""
    try:
        with smtplib.SMTP(host, port, timeout=timeout_s) as client:
            return client.noop()[0] == 250
    except (OSError, smtplib.SMTPException):
        return False


def http_ready(url: str, timeout_s: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/messages", timeout=timeout_s) as resp:  # noqa: S310
            return resp.status == 200
    except OSError:
        return False


def local_http_url() -> str:
    return f"http://{paths.LOOPBACK}:{paths.smtp_http_port()}"


def start(log: Log = procs.say) -> tuple[str, int, str | None, bool]:
    """Make an SMTP server answer; return (host, port, HTTP inbox URL or None, started here)."""
    t0 = time.monotonic()
    port = paths.smtp_port()
    external = paths.env("SMTP_HOST")
    if external:
        if not procs.wait_until(lambda: ready(external, port, 5.0), deadline_s=20, interval=1):
            raise InfraError(f"smtp: no answer from SMTP_HOST={external} SMTP_PORT={port}; "
                             "unset SMTP_HOST to run the local sink")
        log(f"==> smtp: external server {external}:{port} answers ({procs.seconds(t0)})")
        return external, port, paths.env("SMTP_HTTP_URL") or None, False
    host, url = paths.LOOPBACK, local_http_url()
    advice = f"port {port} or {paths.smtp_http_port()} busy? run `make infra-status`"
    pid = procs.running_pid(NAME, TOKEN)
    if pid is not None:
        if not procs.wait_until(lambda: ready(host, port) and http_ready(url),
                                deadline_s=READY_DEADLINE_S, pid=pid):
            raise procs.failure(NAME, f"pid {pid} runs but does not answer on {host}:{port}",
                                advice)
        log(f"==> smtp: already running (pid {pid}) at {host}:{port}, inbox {url}")
        return host, port, url, False
    if procs.port_open(host, port):
        if ready(host, port):
            has_http = http_ready(url)
            log(f"==> smtp: an SMTP server already answers at {host}:{port} (no pid file; reused)")
            return host, port, url if has_http else None, False
        raise InfraError(f"smtp: port {port} is taken by something that is not SMTP; "
                         "free it or set SMTP_PORT")
    if procs.port_open(host, paths.smtp_http_port()):
        raise InfraError(f"smtp: HTTP port {paths.smtp_http_port()} is taken; free it or set "
                         "SMTP_HTTP_PORT")
    maildir = paths.component_dir(NAME)
    cmd = [sys.executable, "-m", TOKEN, "--host", host, "--port", str(port),
           "--http-port", str(paths.smtp_http_port()), "--maildir", str(maildir)]
    pid = procs.spawn(NAME, cmd, cwd=paths.REPO_ROOT)
    if not procs.wait_until(lambda: ready(host, port) and http_ready(url),
                            deadline_s=READY_DEADLINE_S, pid=pid, interval=0.2):
        died = not procs.alive(pid)
        procs.stop(NAME, TOKEN, log=log)
        raise procs.failure(NAME, "the sink exited during start-up" if died else
                            f"no answer on {host}:{port} after {READY_DEADLINE_S}s", advice)
    log(f"==> smtp: started pid {pid} at {host}:{port}, inbox {url} ({procs.seconds(t0)})")
    return host, port, url, True


def stop(log: Log = procs.say) -> bool:
    return procs.stop(NAME, TOKEN, log=log)
