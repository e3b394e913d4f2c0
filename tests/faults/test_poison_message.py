"""A poison message: a valid envelope whose payload the notifications handler cannot use.

The case is a key rotation done in the wrong order: registration seals an officer's contact
details with a new CONTACT_SEALING_KEY that notifications does not hold yet. The handler fails
on it, retries, and dead-letters it with the error; the partition flows on (a later officer on
the same partition is acknowledged). Once notifications is given the key (the fix: configuration,
no code), `glo-act dlq replay` applies the dead letter once: one acknowledgement, not two.
"""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

from kafka.partitioner.default import murmur2

from common import dlq, sealing
from common.topics import PARTITIONS
from tests.conftest import wait_for
from tests.faults.helpers import inbox, publish

ROTATED_KEY = "contact-sealing-key-of-the-next-quarter"


def _partition(key: str) -> int:
    """The partition kafka-python's default partitioner gives a key."""
    return (murmur2(key.encode()) & 0x7FFFFFFF) % PARTITIONS


def _registered(participant_id: str, address: str, key: str | None = None) -> tuple:
    contact = {"given_name": "Ayesha", "family_name": "Khan", "email": address, "phone": None}
    previous = os.environ.get("CONTACT_SEALING_KEY")
    os.environ["CONTACT_SEALING_KEY"] = key or previous or sealing.DEV_SEALING_SECRET
    try:
        sealed = sealing.seal(contact)
    finally:
        if previous is None:
            del os.environ["CONTACT_SEALING_KEY"]
        else:
            os.environ["CONTACT_SEALING_KEY"] = previous
    return ("registration.participant.registered", participant_id, {
        "participant_id": participant_id, "gender": "female", "agency": "Punjab Police",
        "preferred_language": "en", "contact_sealed": sealed})


def _glo_act(stack, *args: str) -> subprocess.CompletedProcess:
    command = [str(Path(sys.executable).parent / "glo-act"), *args]  # the operator's CLI
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=True,
                          env={**os.environ, **stack.env})


def test_poison_message_is_dead_lettered_the_partition_flows_and_a_replay_applies_it_once(
        worker_stack, smtp_inbox):
    stack = worker_stack(CONSUMER_BACKOFF_SECONDS="0.05")
    topic, group = stack.topic("registration"), f"{stack.name}.notifications"
    poisoned = str(uuid.uuid4())
    later = next(pid for pid in (str(uuid.uuid4()) for _ in range(100))
                 if _partition(pid) == _partition(poisoned))
    tag = uuid.uuid4().hex[:6]
    addresses = {poisoned: f"rotated.{tag}@example.org", later: f"later.{tag}@example.org"}
    first = stack.worker("notifications", "notifications-worker-1")
    [poison] = publish(stack.bootstrap, topic, "registration",
                       [_registered(poisoned, addresses[poisoned], key=ROTATED_KEY)])
    publish(stack.bootstrap, topic, "registration", [_registered(later, addresses[later])])

    # The partition flows: the officer after the poison on the same partition is acknowledged.
    wait_for(lambda: inbox(smtp_inbox, addresses[later]), timeout_s=60)
    letters = wait_for(lambda: dlq.list_dead_letters(stack.bootstrap, topic), timeout_s=30)
    assert [letter.event_id for letter in letters] == [poison.id]
    summary = letters[0].summary()
    assert summary["group"] == group
    assert int(summary["attempts"]) == 5  # CONSUMER_MAX_ATTEMPTS' default: it was retried
    assert "cannot be opened with this key" in summary["error"]
    assert inbox(smtp_inbox, addresses[poisoned]) == []
    listed = _glo_act(stack, "dlq", "list", "--topic", topic)
    assert listed.stdout, listed.stderr
    assert json.loads(listed.stdout.splitlines()[0])["event_id"] == poison.id
    print(f"poison dead-lettered after {summary['attempts']} attempts with "
          f"{summary['error']!r}; the next event on partition {_partition(poisoned)} was "
          f"applied (1 acknowledgement)")

    # The fix: notifications gets the key registration now uses; the operator replays.
    first.terminate()
    first.wait(timeout=30)
    stack.worker("notifications", "notifications-worker-2", CONTACT_SEALING_KEY=ROTATED_KEY)
    replayed = _glo_act(stack, "dlq", "replay", "--topic", topic, "--group", group)
    assert "replayed 1 message(s)" in replayed.stdout
    again = _glo_act(stack, "dlq", "replay", "--topic", topic, "--group", group)
    assert "replayed 0 message(s)" in again.stdout

    wait_for(lambda: inbox(smtp_inbox, addresses[poisoned]), timeout_s=60)
    notes = stack.database("notifications")["notifications"]
    wait_for(lambda: notes.count_documents({"status": "sent"}) == 2, timeout_s=30)
    counts = {who: len(inbox(smtp_inbox, address)) for who, address in addresses.items()}
    assert counts == {poisoned: 1, later: 1}
    assert notes.count_documents({"recipient_id": poisoned}) == 1
    print(f"after the fix, replay 1 then 0 message(s); acknowledgements: {counts[poisoned]} "
          f"for the replayed officer, {counts[later]} for the later one")
