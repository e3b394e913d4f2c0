"""Throughput of the notification pipeline with 1, 2 and 3 workers in the consumer group."""

import os
import signal
import subprocess
import time
import uuid
from datetime import datetime
from pathlib import Path

import requests
from kafka.admin import KafkaAdminClient

from common.envelope import new_event
from common.producer import EventProducer
from devstack import services


def _messages_since(inbox: str, addresses: list[str], since: float) -> tuple[int, float]:
    """How many arrived since ``since``, and when the last of them did (the sink's clock)."""
    count, last = 0, since
    for address in addresses:
        for message in requests.get(f"{inbox}/messages", params={"to": address},
                                    timeout=10).json():
            if message["received_at"] and _epoch(message["received_at"]) >= since:
                count += 1
                last = max(last, _epoch(message["received_at"]))
    return count, last


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


def drain_rate(bootstrap: str, topic: str, inbox: str, officers: list[dict], sessions: list[dict],
               count: int, timeout_s: float = 45) -> dict:
    """Publish ``count`` confirmations at once; emails per second until the last arrived.

    The rate is taken to the last email's arrival as the sink recorded it (same machine, same
    clock), not to the poll that saw it: polls are a second apart, which at 200 emails would
    blur the figure by up to 40%. ``seconds`` (the window the caller counts commands over) is
    still to that poll."""
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
    arrived, last = 0, began
    deadline = time.monotonic() + timeout_s
    while arrived < count and time.monotonic() < deadline:
        time.sleep(1)
        arrived, last = _messages_since(inbox, addresses, began)
    elapsed = time.time() - began
    to_last = max(last - began, 0.001) if arrived >= count else elapsed
    return {"emails": arrived, "expected": count, "seconds": round(elapsed, 1),
            "to_last_email_s": round(to_last, 2), "per_second": arrived / to_last,
            "per_second_polled": arrived / elapsed}


# After a warm-up, until each worker's due sweep has looked at what the other sent (once each,
# `SendQueue.SETTLE_S` after it fell due): that look is the warm-up's work, not the measured
# drain's.
WARM_SETTLE_S = 12.0


def warm_up(bootstrap: str, topic: str, inbox: str, officers: list[dict], sessions: list[dict],
            count: int) -> dict:
    """``count`` confirmations to the officers and sessions a measured drain uses, drained and
    not measured, then WARM_SETTLE_S: a worker that just joined meets them first (its
    connections, templates, the streams of those officers and sessions, its sweep's hours),
    as the first worker did in the runs before. The events' keys spread them over every
    partition, so each worker gets some. Measured cold, two workers drained at 0.68x one."""
    found = drain_rate(bootstrap, topic, inbox, officers, sessions, count, timeout_s=120)
    time.sleep(WARM_SETTLE_S)
    return found


def group_assignment(bootstrap: str, group: str) -> tuple[str, list[int]]:
    """The consumer group's state and how many partitions each member holds."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="bench-scale")
    try:
        described = admin.describe_groups([group])[group]
    finally:
        admin.close()
    held = [sum(len(t["partitions"]) for t in
                (m.get("member_assignment") or {}).get("assigned_partitions", []))
            for m in described.get("members", [])]
    return described.get("group_state", ""), held


def wait_for_members(bootstrap: str, group: str, members: int, timeout_s: float = 60) -> dict:
    """Until the group is stable with ``members`` members, each holding partitions: a rebalance
    inside the measured window would be measured, not the workers (a blind 8 s wait was
    the bench's only guard). Returns the state and each member's partition count."""
    deadline = time.monotonic() + timeout_s
    while True:
        state, held = group_assignment(bootstrap, group)
        if state == "Stable" and len(held) == members and all(held):
            return {"state": state, "partitions_per_member": sorted(held, reverse=True)}
        if time.monotonic() > deadline:
            raise TimeoutError(f"group {group}: {state} with partitions {held} after "
                               f"{timeout_s:.0f} s, not {members} members")
        time.sleep(0.5)


class ExtraWorkers:
    """More notifications workers joining the stack's consumer group."""

    def __init__(self, env: dict, log_dir: Path):
        self.env, self.log_dir, self.processes = {**os.environ, **env}, log_dir, []
        self.joined: dict = {}

    def add(self) -> None:
        log = open(self.log_dir / f"notifications-worker-extra{len(self.processes)}.log", "ab")
        self.processes.append(subprocess.Popen(services.worker_command("notifications"),
                                               env=self.env, stdout=log,
                                               stderr=subprocess.STDOUT,
                                               start_new_session=True))
        bootstrap, stack = self.env.get("KAFKA_BOOTSTRAP_SERVERS"), self.env.get("STACK_NAME")
        if not (bootstrap and stack):
            time.sleep(8)  # let the group rebalance before measuring
            return
        self.joined = wait_for_members(bootstrap, f"{stack}.notifications",
                                       len(self.processes) + 1)
        time.sleep(2)  # the new member's first fetch positions, before anything is measured

    def stop(self) -> None:
        """SIGTERM each; one still running 30 s later is killed, and said (the bench then
        goes on to stop the stack and drop its databases)."""
        for process in self.processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                print(f"==> an extra notifications worker (pid {process.pid}) had not stopped "
                      "30 s after SIGTERM: killed", flush=True)
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
