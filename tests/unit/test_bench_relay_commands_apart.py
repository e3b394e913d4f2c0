"""The bench counts the outbox relays' commands apart from an email's own round trips.

`make bench` gave "not measurable" for two workers' round trips in every run of the seventh
stage: its idle rate was taken while the relays emptied what an earlier phase wrote (1,010 to
1,460 commands a second), and the drain after it found fewer. The relay's commands, and the
reads it hands to other threads, now say whose they are (`pacing.BACKGROUND`).
"""

import json
import threading

import mongomock

from bench import commands
from common import outbox_relay, pacing
from common.persistence import by_id
from tests.unit.test_bench_command_shapes import _monitor
from tests.unit.test_outbox_acknowledged import Producer


def test_reads_made_side_by_side_know_they_are_the_relays():
    named = pacing.BACKGROUND.set("outbox-relay")
    try:
        seen = by_id.side_by_side(lambda i: pacing.BACKGROUND.get(), ["a", "b", "c", "d"])
    finally:
        pacing.BACKGROUND.reset(named)
    assert seen == {"a": "outbox-relay", "b": "outbox-relay", "c": "outbox-relay",
                    "d": "outbox-relay"}
    # A request's reads, in the same pool of threads afterwards, are nobody's background.
    assert by_id.side_by_side(lambda i: pacing.BACKGROUND.get(), ["e", "f"]) == {"e": "", "f": ""}


def test_the_relay_thread_names_its_work_and_only_its_own():
    database = mongomock.MongoClient(tz_aware=True)["relay_named"]
    relay = outbox_relay.OutboxRelay([database["participants"]], Producer())
    stop, seen = threading.Event(), []

    def once(pacer=None):
        seen.append(pacing.BACKGROUND.get())
        stop.set()
        return False

    relay.run_once = once
    thread = threading.Thread(target=relay.run, args=(stop, 0.01), daemon=True)
    thread.start()
    thread.join(timeout=10)
    assert seen == ["outbox-relay"]
    assert pacing.BACKGROUND.get() == ""  # this thread's context is untouched


def test_the_monitor_brackets_what_background_work_sent():
    monitor = _monitor()
    assert monitor._background() == ""
    named = pacing.BACKGROUND.set("outbox-relay")
    try:
        assert monitor._background() == "outbox-relay"
    finally:
        pacing.BACKGROUND.reset(named)


def test_totals_tell_the_relays_commands_from_the_rest(tmp_path):
    (tmp_path / "101.json").write_text(json.dumps(
        {"find notifications": 5, "[outbox-relay] update notifications": 3, "hello": 2,
         "[outbox-relay] hello": 1}))
    (tmp_path / "102.json").write_text(json.dumps({"insert deliveries": 4}))
    assert commands.total(tmp_path) == 12
    assert commands.total(tmp_path, background=True) == 3
    assert commands.total(tmp_path, background=False) == 9


def test_an_emails_round_trips_leave_out_what_the_relays_sent_meanwhile(tmp_path):
    counts = tmp_path / "201.json"
    counts.write_text(json.dumps({"find a": 100, "[outbox-relay] find b": 100}))

    def drain():
        # 10 emails: 30 commands of their own, and 500 by a relay emptying older outboxes.
        counts.write_text(json.dumps({"find a": 130, "[outbox-relay] find b": 600}))
        return {"emails": 10, "expected": 10, "seconds": 2.0}

    found = commands.per_email(tmp_path, drain, idle_per_second=1.0)
    assert found["commands"] == 28  # 30, less 2 s of the idle rate
    assert found["round_trips_per_email"] == 2.8
    assert found["background_commands"] == 500
