"""Throughput of the notification pipeline with 1, 2 and 3 workers in the consumer group."""

import os
import signal
import subprocess
import time
import uuid
from datetime import datetime
from pathlib import Path

import requests

from common.envelope import new_event
from common.producer import EventProducer
from devstack import services


def _messages_since(inbox: str, addresses: list[str], since: float) -> int:
    count = 0
    for address in addresses:
        for message in requests.get(f"{inbox}/messages", params={"to": address},
                                    timeout=10).json():
            if message["received_at"] and _epoch(message["received_at"]) >= since:
                count += 1
    return count


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


def drain_rate(bootstrap: str, topic: str, inbox: str, officers: list[dict], sessions: list[dict],
               count: int, timeout_s: float = 45) -> dict:
    """Publish ``count`` confirmations at once; emails per second until all arrived."""
    producer = EventProducer(bootstrap, "bench-scale")
    pairs = [(officers[n % len(officers)], sessions[(n // len(officers)) % len(sessions)])
             for n in range(count)]
    events = []
    for officer, session in pairs:
        enrollment_id = str(uuid.uuid4())
        events.append(new_event("registration.enrollment.confirmed", enrollment_id, {
            "enrollment_id": enrollment_id, "participant_id": officer["id"],
            "session_id": session["id"], "series_id": None, "gender": "female",
            "agency": "Federal Investigation Agency"}, "registration"))
    began = time.time()
    producer.publish(topic, events)
    producer.close()
    addresses = sorted({o["email"] for o, _ in pairs})
    arrived = 0
    deadline = time.monotonic() + timeout_s
    while arrived < count and time.monotonic() < deadline:
        time.sleep(1)
        arrived = _messages_since(inbox, addresses, began)
    elapsed = time.time() - began
    return {"emails": arrived, "expected": count, "seconds": round(elapsed, 1),
            "per_second": arrived / elapsed}


class ExtraWorkers:
    """More notifications workers joining the stack's consumer group."""

    def __init__(self, env: dict, log_dir: Path):
        self.env, self.log_dir, self.processes = {**os.environ, **env}, log_dir, []

    def add(self) -> None:
        log = open(self.log_dir / f"notifications-worker-extra{len(self.processes)}.log", "ab")
        self.processes.append(subprocess.Popen(services.worker_command("notifications"),
                                               env=self.env, stdout=log,
                                               stderr=subprocess.STDOUT,
                                               start_new_session=True))
        time.sleep(8)  # let the group rebalance before measuring

    def stop(self) -> None:
        for process in self.processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            process.wait(timeout=30)
