"""The outbox on the real broker and database: nothing lost, nothing published twice."""

import os
import signal
import subprocess
import sys
from datetime import UTC, timedelta

from common import outbox, outbox_acknowledged, outbox_relay
from common.envelope import Event, new_event
from common.runtime import Runtime
from tests.conftest import read_topic, wait_for


def _ids(records) -> list[str]:
    return [Event.from_bytes(r.value).id for r in records]


def test_event_left_behind_by_a_crash_is_published_once_by_the_relay(
        settings, make_topic, kafka_bootstrap, unique):
    topic = make_topic(f"it.{unique}.events")
    runtime = Runtime(settings("registration"), topic)
    participants = runtime.db["participants"]
    event = new_event("registration.participant.registered", f"p-{unique}", {"n": 1},
                      "registration")
    # The write happened; the process died before it could publish.
    participants.insert_one(outbox.on_insert({"_id": f"p-{unique}"}, topic, [event]))

    relay = runtime.outbox_relay(["participants"])
    assert relay.backlog() == 1
    assert relay.sweep() == 1
    assert relay.sweep() == 0  # a second sweep finds nothing left to publish
    assert relay.backlog() == 0

    records = read_topic(kafka_bootstrap, topic, until=lambda r: len(r) >= 1, settle_s=1.5)
    assert _ids(records) == [event.id]
    assert records[0].key == f"p-{unique}".encode()
    assert dict(records[0].headers)["content-type"] == b"application/cloudevents+json"

    quiet = outbox_relay.OutboxRelay([participants], runtime.producer, grace_s=0, quiet_s=0)
    quiet.sweep()  # the document has been quiet long enough: its outbox is emptied
    stored = participants.find_one({"_id": f"p-{unique}"})
    assert stored["outbox"] == []
    assert stored["outbox_pending"] is False
    assert runtime.db[outbox.MARKERS].count_documents({}) == 0
    runtime.producer.close()


def test_rapid_writes_lose_neither_changes_nor_events(settings, make_topic, kafka_bootstrap,
                                                      unique):
    """The publisher never writes the aggregate, so it cannot undo a concurrent change."""
    topic = make_topic(f"it.{unique}.events")
    runtime = Runtime(settings("sessions"), topic)
    subject = f"s-{unique}"
    first = runtime.event("sessions.session.scheduled", subject, {"title": "Coaching 1 of 3"})
    runtime.insert("sessions", {"_id": subject, "changes": 0}, [first])
    events = [first]
    for n in range(1, 21):
        event = runtime.event("sessions.session.rescheduled", subject, {"n": n})
        runtime.update("sessions", {"_id": subject}, {"$inc": {"changes": 1}}, [event])
        events.append(event)

    records = read_topic(kafka_bootstrap, topic, until=lambda r: len(r) >= 21, settle_s=1.0)
    assert sorted(_ids(records)) == sorted(e.id for e in events)
    runtime.publisher.drain()
    stored = runtime.db["sessions"].find_one({"_id": subject})
    assert stored["changes"] == 20
    assert [e["id"] for e in stored["outbox"]] == [e.id for e in events]
    wait_for(lambda: runtime.outbox_relay(["sessions"]).backlog() == 0)
    runtime.producer.close()


# A process that writes an aggregate and is killed -9 before it publishes (its publisher's
# `publish_soon` kills it): argv is the topic and the participant's id.
_KILLED_AFTER_WRITING = """
import os, signal, sys
from common.config import load
from common.runtime import Runtime
runtime = Runtime(load("registration"), sys.argv[1])
runtime.publisher.publish_soon = lambda *_, **__: os.kill(os.getpid(), signal.SIGKILL)
event = runtime.event("registration.participant.registered", sys.argv[2], {"n": 1})
print(event.id, flush=True)
runtime.insert("participants", {"_id": sys.argv[2]}, [event])
"""


def test_events_of_a_process_killed_after_its_write_are_published_once_it_stops_beating(
        settings, make_topic, kafka_bootstrap, unique, monkeypatch):
    topic = make_topic(f"it.{unique}.events")
    monkeypatch.setenv("OUTBOX_RELAY_INTERVAL_SECONDS", "0.5")  # its beat: dead after 1.5 s
    runtime = Runtime(settings("registration"), topic)
    relay = runtime.outbox_relay(["participants"])
    relay.run_once()  # the first sweep of this database: from now on only what is left behind
    assert relay.run_once() is False

    killed = subprocess.run([sys.executable, "-c", _KILLED_AFTER_WRITING, topic, f"p-{unique}"],
                            capture_output=True, text=True, timeout=60, env=os.environ)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    event_id = killed.stdout.strip()
    assert relay.backlog() == 1  # written, never published

    wait_for(lambda: relay.run_once() and relay.backlog() == 0, timeout_s=30)
    records = read_topic(kafka_bootstrap, topic, until=lambda r: len(r) >= 1, settle_s=1.5)
    assert _ids(records) == [event_id]
    assert relay.run_once() is False  # its death is covered: no more sweeps for it


def test_the_relay_empties_what_the_log_of_acknowledgements_names(settings, make_topic,
                                                                  unique):
    """Written through the Runtime, published and logged by its Publisher; a relay a minute
    later empties the outbox and deletes its markers, then the log's finished minute."""
    topic = make_topic(f"it.{unique}.events")
    runtime = Runtime(settings("registration"), topic)
    event = runtime.event("registration.participant.registered", f"p-{unique}", {"n": 1})
    runtime.insert("participants", {"_id": f"p-{unique}"}, [event])
    runtime.publisher.drain()
    staged = runtime.db["participants"].find_one({"_id": f"p-{unique}"})["outbox"][0]
    relay = runtime.outbox_relay(["participants"])
    later = staged["staged_at"].replace(tzinfo=UTC) + timedelta(
        seconds=relay.quiet_s + outbox_acknowledged.LATE_S + 1)  # surely due (see its module)

    assert outbox_acknowledged.empty_acknowledged(relay, now=later) == 1
    stored = runtime.db["participants"].find_one({"_id": f"p-{unique}"})
    assert (stored["outbox"], stored["outbox_pending"]) == ([], False)
    assert runtime.db[outbox.MARKERS].find_one({"_id": event.id}) is None
    outbox_acknowledged.empty_acknowledged(relay, now=later + timedelta(minutes=3))
    log = runtime.db[outbox_acknowledged.LOG]
    assert [d["_id"] for d in log.find({})] == [outbox_acknowledged.MARK]
    assert log.find_one({"_id": outbox_acknowledged.MARK})["emptied"] >= 1
    runtime.producer.close()
