"""Private infrastructure for fault tests: a FerretDB of their own that they may kill."""

import os
import signal
import socket
import subprocess
import sys
import urllib.parse
from pathlib import Path

from devstack.infra.ferretdb import binary_path, ready
from tests.conftest import wait_for


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateFerretDB:
    """A FerretDB on its own port and data directory, started, killed and restarted at will."""

    def __init__(self, home: Path):
        self.home = home
        self.port = free_port()
        self.uri = f"mongodb://127.0.0.1:{self.port}/"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        data = self.home / "data"
        data.mkdir(parents=True, exist_ok=True)
        command = [str(binary_path()), "--handler=sqlite",
                   f"--sqlite-url=file:{urllib.parse.quote(str(data))}/",
                   f"--listen-addr=127.0.0.1:{self.port}", "--telemetry=disable",
                   f"--state-dir={self.home}", "--debug-addr=-", "--log-level=error"]
        with open(self.home / "ferretdb.log", "ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        wait_for(lambda: ready(self.uri, 1.0), timeout_s=30)

    def kill(self) -> None:
        """SIGKILL: no chance to close cleanly, as in a crash."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)


class PrivateKafka:
    """A broker of its own (the project's `infra up` with its own state and ports), for killing."""

    started_once = False

    def __init__(self, home: Path, mongo_uri: str):
        self.home, self.mongo_uri = home, mongo_uri
        self._choose_ports()

    def _choose_ports(self) -> None:
        self.port, self.controller_port = free_port(), free_port()
        self.bootstrap = f"127.0.0.1:{self.port}"
        self.env = {**os.environ, "GLO_ACT_STATE": str(self.home), "KAFKA_PORT": str(self.port),
                    "KAFKA_CONTROLLER_PORT": str(self.controller_port),
                    "MONGO_URI": self.mongo_uri, "SMTP_HOST": "127.0.0.1",
                    "KAFKA_BOOTSTRAP_SERVERS": ""}

    def start(self) -> None:
        """Start (or restart, on the same ports) the broker; fail with its output if it cannot."""
        done = self._up()
        if done.returncode != 0 and "is taken" in done.stderr and not self.started_once:
            # A free port found by binding can be taken again before the broker binds it.
            print(f"private broker: {done.stderr.strip()}; trying other ports", file=sys.stderr)
            self._choose_ports()
            done = self._up()
        if done.returncode != 0:
            raise RuntimeError(f"the private broker did not start (exit {done.returncode}):\n"
                               f"{done.stdout}{done.stderr}")
        self.started_once = True

    def _up(self) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "devstack", "infra", "up"], env=self.env,
                              capture_output=True, text=True, timeout=180)

    def kill(self) -> None:
        """SIGKILL the broker, as a crash would."""
        pid = int((self.home / "run" / "kafka.pid").read_text().split()[0])
        os.kill(pid, signal.SIGKILL)
        wait_for(lambda: not Path(f"/proc/{pid}").exists(), timeout_s=10)

    def stop(self) -> None:
        subprocess.run([sys.executable, "-m", "devstack", "infra", "down", "kafka"],
                       env=self.env, capture_output=True, timeout=60)
