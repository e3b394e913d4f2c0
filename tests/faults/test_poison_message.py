"""A poison message: a valid envelope whose payload the notifications handler cannot use.

The case is a producer bug: a `registration.participant.registered` without the officer's
`preferred_language`. The handler fails on it, retries, and dead-letters it with the error; the
partition flows on (a later officer on the same partition is acknowledged), and the operator's
CLI lists the dead letter. (Replaying dead letters once the fix is deployed, applied once, is
tested in tests/integration/test_dlq_replay.py: since events carry no contact details, there is
no longer a poison that configuration alone can cure, as a rotated sealing key was.)
"""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

from kafka.partitioner.default import murmur2

from common import dlq
from common.topics import PARTITIONS
from tests.conftest import wait_for
from tests.faults.helpers import inbox, publish


def _partition(key: str) -> int:
    """The partition kafka-python's default partitioner gives a key."""
    return (murmur2(key.encode()) & 0x7FFFFFFF) % PARTITIONS


def _registered(stack, participant_id: str, address: str, broken: bool = False) -> tuple:
    stack.contacts.add(participant_id, given_name="Ayesha", family_name="Khan", email=address,
                       phone=None, preferred_language="en")
    data = {"participant_id": participant_id, "gender": "female", "agency": "Punjab Police",
            "preferred_language": "en"}
    if broken:
        del data["preferred_language"]
    return ("registration.participant.registered", participant_id, data)


def _glo_act(stack, *args: str) -> subprocess.CompletedProcess:
    command = [str(Path(sys.executable).parent / "glo-act"), *args]  # the operator's CLI
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=True,
                          env={**os.environ, **stack.env})


def test_poison_message_is_dead_lettered_and_the_partition_flows(
        worker_stack, smtp_inbox):
    stack = worker_stack(CONSUMER_BACKOFF_SECONDS="0.05")
    topic, group = stack.topic("registration"), f"{stack.name}.notifications"
    poisoned = str(uuid.uuid4())
    later = next(pid for pid in (str(uuid.uuid4()) for _ in range(100))
                 if _partition(pid) == _partition(poisoned))
    tag = uuid.uuid4().hex[:6]
    addresses = {poisoned: f"rotated.{tag}@example.org", later: f"later.{tag}@example.org"}
    stack.worker("notifications", "notifications-worker-1")
    [poison] = publish(stack.bootstrap, topic, "registration",
                       [_registered(stack, poisoned, addresses[poisoned], broken=True)])
    publish(stack.bootstrap, topic, "registration", [_registered(stack, later, addresses[later])])

    # The partition flows: the officer after the poison on the same partition is acknowledged.
    wait_for(lambda: inbox(smtp_inbox, addresses[later]), timeout_s=60)
    letters = wait_for(lambda: dlq.list_dead_letters(stack.bootstrap, topic), timeout_s=30)
    assert [letter.event_id for letter in letters] == [poison.id]
    summary = letters[0].summary()
    assert summary["group"] == group
    assert int(summary["attempts"]) == 5  # CONSUMER_MAX_ATTEMPTS' default: it was retried
    assert "preferred_language" in summary["error"]
    assert inbox(smtp_inbox, addresses[poisoned]) == []
    listed = _glo_act(stack, "dlq", "list", "--topic", topic)
    assert listed.stdout, listed.stderr
    assert json.loads(listed.stdout.splitlines()[0])["event_id"] == poison.id
    print(f"poison dead-lettered after {summary['attempts']} attempts with "
          f"{summary['error']!r}; the next event on partition {_partition(poisoned)} was "
          f"applied (1 acknowledgement)")
