"""`make run` keeps the stack up like compose's `restart: unless-stopped`: a worker killed -9 is
started again, and the APIs are not touched."""

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import requests
from kafka.admin import KafkaAdminClient

from common.mongo import client
from common.topics import catalogue
from devstack import services
from devstack.infra.procs import alive
from tests.conftest import wait_for
from tests.e2e.conftest import _free_port

ROOT = Path(__file__).resolve().parents[2]


def _pid(run_dir: Path, name: str) -> int | None:
    try:
        pid = int((run_dir / f"{name}.pid").read_text())
    except (OSError, ValueError):
        return None
    return pid if alive(pid) else None


def _apis_answer(urls: dict[str, str]) -> bool:
    try:
        return all(requests.get(f"{url}/health/ready", timeout=2).status_code == 200
                   for url in urls.values())
    except requests.RequestException:
        return False


def test_a_worker_killed_under_make_run_is_restarted_while_the_apis_stay_up(
        kafka_bootstrap, mongo_uri, tmp_path):
    name = f"run{uuid.uuid4().hex[:8]}"
    ports = {service: _free_port() for service in services.SERVICES}
    state = tmp_path / "state"
    env = {**os.environ, "GLO_ACT_STATE": str(state), "STACK_NAME": name,
           "TOPIC_PREFIX": f"{name}.", "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
           "MONGO_URI": mongo_uri, "API_WORKERS": "1", "PYTHONUNBUFFERED": "1",
           **{f"{s.upper()}_PORT": str(port) for s, port in ports.items()}}
    output = tmp_path / "run.out"
    with open(output, "wb") as out:
        run = subprocess.Popen([sys.executable, "-m", "devstack", "run", "--empty"], env=env,
                               stdout=out, stderr=subprocess.STDOUT, cwd=ROOT,
                               start_new_session=True)
    urls = {s: f"http://127.0.0.1:{port}" for s, port in ports.items()}
    run_dir = state / "run"
    said = lambda: output.read_text(errors="replace")  # noqa: E731
    try:
        wait_for(lambda: "Ctrl-C stops everything" in said() or run.poll() is not None,
                 timeout_s=120, interval_s=0.5)
        assert run.poll() is None, said()
        apis = {s: _pid(run_dir, f"{s}-api") for s in services.SERVICES}
        worker = _pid(run_dir, "notifications-worker")
        assert worker and all(apis.values()), (worker, apis)

        os.kill(worker, signal.SIGKILL)
        wait_for(lambda: "notifications-worker restarted" in said() or run.poll() is not None,
                 timeout_s=60, interval_s=0.5)
        assert run.poll() is None, f"the run stopped when a worker died:\n{said()}"
        assert "!! notifications-worker exited; restarting it" in said()
        again = _pid(run_dir, "notifications-worker")
        assert again and again != worker
        # The APIs were never stopped: the same processes, still answering.
        assert {s: _pid(run_dir, f"{s}-api") for s in services.SERVICES} == apis
        assert _apis_answer(urls)

        run.send_signal(signal.SIGINT)
        assert run.wait(timeout=90) == 0, said()
        assert not alive(again)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
        for db in client(mongo_uri).list_database_names():
            if db.startswith(f"{name}_"):
                client(mongo_uri).drop_database(db)
        admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
        admin.delete_topics([t for t in catalogue(f"{name}.") if t in admin.list_topics()])
        admin.close()
