"""The relays' emptying is paced: it rests between pieces, ends a pass on time, and resumes."""

import threading

import pytest

from common import outbox, outbox_acknowledged, outbox_relay, pacing
from common.envelope import new_event
from tests.unit.test_outbox_acknowledged import (
    DUE,
    TOPIC,
    Producer,
    WatchedDatabase,
    _document,
    _later,
    _relay,
)

# Seconds after the first write by which every record of the test is surely worked, even if the
# writes straddled a minute's end (the minute after is worked only once the one before closed).
SURELY_DUE = DUE + 60


class Clock:
    """A clock that moves only when the relay works: each outbox piece takes one second."""

    def __init__(self):
        self.now, self.rests = 0.0, []

    def __call__(self):
        return self.now

    def rest(self, seconds):
        self.rests.append(seconds)


def _published(database, first: int, count: int) -> list[dict]:
    """``count`` officers' documents written and published in one batch: one log record."""
    documents = []
    for n in range(first, first + count):
        event = new_event("registration.participant.registered", f"p-{n}", {}, "registration")
        documents.append(outbox.on_insert({"_id": f"p-{n}"}, TOPIC, [event]))
    database.database["participants"].insert_many(documents)
    outbox.Publisher(Producer()).publish_batch([outbox._Written(
        database["participants"], d["outbox"], [d["outbox"][0]["id"]], d["_id"])
        for d in documents])
    return documents


@pytest.fixture
def slow_pieces(monkeypatch):
    """Each piece of emptying takes a second of ``clock``; one record a page, so a pass can
    end between records."""
    clock = Clock()
    emptying = outbox_acknowledged._Reader._empty

    def slow(self, collection, acked):
        clock.now += 1
        return emptying(self, collection, acked)

    monkeypatch.setattr(outbox_acknowledged._Reader, "_empty", slow)
    monkeypatch.setattr(outbox_acknowledged, "CHUNK", 1)
    return clock


def test_a_pass_out_of_time_stops_and_the_next_resumes_emptying_each_outbox_once(slow_pieces):
    database = WatchedDatabase()
    first = _published(database, 0, 40)[0]
    _published(database, 40, 40)
    _published(database, 80, 40)
    database.calls.clear()
    now = _later(first, SURELY_DUE)

    ran_out = pacing.Pacer(0.25, budget_s=1.5, rest=slow_pieces.rest, clock=slow_pieces)
    assert outbox_acknowledged.empty_acknowledged(_relay(database), now, ran_out) == 80
    assert ran_out.cut_short
    assert [len(_document(database, n)["outbox"]) for n in (0, 79, 80, 119)] == [0, 0, 1, 1]
    assert slow_pieces.rests == [3.0, 3.0]  # a second of work, three of rest: a quarter

    assert outbox_acknowledged.empty_acknowledged(_relay(database), now) == 40
    assert all(_document(database, n)["outbox"] == [] for n in range(120))
    assert len(database.of("find_one", "participants")) == 120  # none read twice
    assert outbox_acknowledged.pending(database) == 0


def test_a_pass_can_end_between_parts_of_one_page_of_records(slow_pieces, monkeypatch):
    """The registration relay after a large import: a record can name hundreds of outboxes,
    and a page of twenty of them took a paced relay 90 s, well past its interval."""
    monkeypatch.setattr(outbox_acknowledged, "CHUNK", 20)  # the three records on one page
    database = WatchedDatabase()
    first = _published(database, 0, 300)[0]
    _published(database, 300, 300)
    _published(database, 600, 300)
    now = _later(first, SURELY_DUE)

    ran_out = pacing.Pacer(0.25, budget_s=5, rest=slow_pieces.rest, clock=slow_pieces)
    assert outbox_acknowledged.empty_acknowledged(_relay(database), now, ran_out) == 300
    assert ran_out.cut_short
    assert outbox_acknowledged.empty_acknowledged(_relay(database), now) == 600
    assert all(_document(database, n)["outbox"] == [] for n in range(900))


def test_pieces_are_at_most_fifty_outboxes_each_followed_by_its_rest(slow_pieces):
    database = WatchedDatabase()
    first = _published(database, 0, 120)[0]

    pacer = pacing.Pacer(0.5, rest=slow_pieces.rest, clock=slow_pieces)
    assert outbox_acknowledged.empty_acknowledged(
        _relay(database), _later(first, SURELY_DUE), pacer) == 120
    assert slow_pieces.rests == [1.0, 1.0, 1.0]  # 50, 50 and 20 outboxes
    assert not pacer.cut_short


def test_a_relay_far_behind_empties_without_resting(slow_pieces):
    database = WatchedDatabase()
    first = _published(database, 0, 60)[0]
    behind = _later(first, 60 + outbox_acknowledged.BEHIND_S + 30)

    pacer = pacing.Pacer(0.25, rest=slow_pieces.rest, clock=slow_pieces)
    assert outbox_acknowledged.empty_acknowledged(_relay(database), behind, pacer) == 60
    assert slow_pieces.rests == []


def test_a_stopping_relay_ends_its_pass_at_once_and_loses_nothing(slow_pieces):
    database = WatchedDatabase()
    first = _published(database, 0, 10)[0]
    now = _later(first, SURELY_DUE)

    stopping = pacing.Pacer(0.25, rest=slow_pieces.rest, clock=slow_pieces,
                            stopping=lambda: True)
    assert outbox_acknowledged.empty_acknowledged(_relay(database), now, stopping) == 0
    assert outbox_acknowledged.empty_acknowledged(_relay(database), now) == 10


def test_after_a_pass_cut_short_the_relay_starts_the_next_at_once(monkeypatch):
    relay = _relay(WatchedDatabase())
    waits, passes = [], []

    class Stop(threading.Event):
        def wait(self, timeout=None):
            waits.append(timeout)
            if len(waits) >= 2:
                self.set()
            return self.is_set()

    def run_once(pacer=None):
        passes.append(pacer)
        pacer.cut_short = len(passes) == 1  # the first pass ran out of its time

    monkeypatch.setattr(relay, "run_once", run_once)
    relay.run(Stop(), interval_s=10)

    assert waits == [0, 10]
    assert [p.budget_s for p in passes] == [10, 10]


def test_the_pacer_keeps_work_to_its_share_of_the_time():
    clock, rests = Clock(), []
    pacer = pacing.Pacer(0.2, rest=rests.append, clock=clock)

    def work():
        clock.now += 0.5
        return "done"

    assert pacer.piece(work) == "done"
    assert pacer.piece(work, catching_up=True) == "done"
    assert rests == [pytest.approx(2.0)]
    assert pacing.Pacer(1, rest=rests.append, clock=clock).piece(work) == "done"
    assert len(rests) == 1
    with pytest.raises(ValueError):
        pacing.Pacer(0)


def test_a_relay_paces_by_default_at_the_module_share():
    assert outbox_relay.OutboxRelay([], Producer()).duty == pacing.DUTY < 1
