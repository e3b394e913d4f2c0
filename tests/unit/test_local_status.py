"""`make infra-status`: the local components, then each API and worker `make run` started."""

import http.server
import json
import socket
import subprocess
import sys
import threading

from devstack.infra import stack
from devstack.infra.cli import main


class _Ready(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the http.server name
        body = json.dumps({"status": "ok"}).encode()
        self.send_response(200 if self.path == "/health/ready" else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_status_shows_each_api_and_worker_with_ports(tmp_path, monkeypatch, capsys):
    """One API answers ready, one worker runs (its pid file names it); the rest are down."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Ready)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    # A process whose command line names the registration worker, as `make run` starts it.
    worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)",
                               "services.registration.worker"])
    try:
        ports = {"REGISTRATION_PORT": server.server_address[1], "SESSIONS_PORT": _free_port(),
                 "NOTIFICATIONS_PORT": _free_port()}
        for name, port in ports.items():
            monkeypatch.setenv(name, str(port))
        monkeypatch.setenv("GLO_ACT_STATE", str(tmp_path))
        (tmp_path / "run").mkdir()
        (tmp_path / "run" / "registration-worker.pid").write_text(f"{worker.pid}\n")
        monkeypatch.setattr(stack, "status", lambda: [])
        assert main(["status"]) == 0
    finally:
        worker.kill()
        worker.wait()
        server.shutdown()
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    registration = f"http://127.0.0.1:{ports['REGISTRATION_PORT']}"
    assert lines["registration-api"].split()[1:3] == ["ready", registration]
    assert lines["sessions-api"].split()[1:3] == ["DOWN", f"http://127.0.0.1:{ports['SESSIONS_PORT']}"]
    assert lines["notifications-api"].split()[1] == "DOWN"
    assert lines["registration-worker"].split()[1] == "running"
    assert f"pid {worker.pid}" in lines["registration-worker"]
    assert lines["sessions-worker"].split()[1] == "DOWN"
    assert "not running" in lines["notifications-worker"]
