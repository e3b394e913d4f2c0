"""The worker's enrollment sweep on the in-memory runtime, its clock moved by hand: it repairs
what a crash or a racing copy left wrong, and reads only what changed since its last pass."""

import pytest

from services.registration.stores import (
    enrollment_store,
    enrollment_sweep,
    group_enrollment_store,
    seat_log_store,
    seat_store,
)
from tests.unit import registration_helpers as world

SETTLE = enrollment_sweep.SETTLE_S


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def runtime():
    return world.registration()


@pytest.fixture
def clock():
    return Clock()


def _later(clock, seconds: float = 5) -> None:
    """Time passes: past the 2 s within which a process does not note a session again."""
    clock.now += seconds
    seat_log_store._noted.clear()


def _passes(sweep, clock, seconds: float, every: float = 10.0) -> dict:
    """The passes of ``seconds`` (one every ``every``): what they did, added up."""
    done = {"looked": 0, "verified": 0, "written": 0}
    for _ in range(int(seconds // every)):
        clock.now += every
        for key, n in sweep.step().items():
            done[key] += n
    return done


def _copies(runtime):
    return runtime.db[enrollment_store.COLLECTION]


def test_a_lost_copy_is_restored_looking_only_at_the_session_that_changed(runtime, clock):
    quiet, busy = world.schedule(runtime, capacity=5), world.schedule(runtime, capacity=5)
    seat_store.enroll(runtime, quiet, world.officer(runtime, "Hina"))
    sweep = enrollment_sweep.Sweep(runtime, clock=clock)
    _passes(sweep, clock, 2 * SETTLE)  # the first start: every session, once
    assert sweep.idle()

    ayesha = seat_store.enroll(runtime, busy, world.officer(runtime, "Ayesha"))
    _copies(runtime).delete_one({"_id": ayesha["_id"]})  # as if the API died before its copy
    done = _passes(sweep, clock, SETTLE + 10)

    assert enrollment_store.get(runtime, ayesha["_id"])["status"] == "confirmed"
    assert (done["looked"], done["verified"], done["written"]) == (2, 1, 1)  # busy, twice
    assert sweep.idle()
    mark = seat_log_store.swept(runtime)
    assert mark["settled"] == mark["through"] == seat_log_store.last_change(runtime)


def test_a_pass_reads_the_copies_of_what_changed_not_the_sessions_other_enrollments(
        runtime, clock):
    session_id = world.schedule(runtime, capacity=100)
    group_enrollment_store.enroll_group(
        runtime, session_id, [world.officer(runtime, f"Officer{n}")["_id"] for n in range(30)])
    sweep = enrollment_sweep.Sweep(runtime, clock=clock)
    assert _passes(sweep, clock, 2 * SETTLE)["verified"] == 30  # each copy read once
    _later(clock)

    seat_store.enroll(runtime, session_id, world.officer(runtime, "Sana"))
    done = _passes(sweep, clock, 2 * SETTLE)

    assert (done["verified"], done["written"]) == (1, 0)
    assert _passes(sweep, clock, 3 * SETTLE) == {"looked": 0, "verified": 0, "written": 0}


def test_a_racing_copy_landing_stale_after_the_first_look_is_repaired(runtime, clock):
    session_id = world.schedule(runtime, capacity=5)
    ayesha = seat_store.enroll(runtime, session_id, world.officer(runtime, "Ayesha"))
    before = seat_log_store.state(runtime, session_id)
    sweep = enrollment_sweep.Sweep(runtime, clock=clock)
    _passes(sweep, clock, 2 * SETTLE)
    _later(clock)
    seat_store.withdraw(runtime, ayesha["_id"])
    _passes(sweep, clock, 10)  # the withdrawal is seen, its copies not read yet
    # Another process's copy from before the withdrawal lands late, over the right one.
    _copies(runtime).update_one({"_id": ayesha["_id"]}, {"$set": {
        **enrollment_store.enrollment(before, ayesha["participant_id"]), "revision": 0}})

    done = _passes(sweep, clock, SETTLE)

    assert enrollment_store.get(runtime, ayesha["_id"])["status"] == "withdrawn"
    assert done["written"] == 1


def test_a_decision_written_after_the_first_look_at_its_note_is_still_copied(runtime, clock):
    session_id = world.schedule(runtime, capacity=5)
    sweep = enrollment_sweep.Sweep(runtime, clock=clock)
    _passes(sweep, clock, 2 * SETTLE)
    _later(clock)
    seat_log_store.note_change(runtime, session_id)  # noted: the decision is on its way
    _passes(sweep, clock, 10)  # the sweep looks before the decision is written
    fatima = seat_store.enroll(runtime, session_id, world.officer(runtime, "Fatima"))
    _copies(runtime).delete_one({"_id": fatima["_id"]})  # and the API dies before its copy

    _passes(sweep, clock, 2 * SETTLE)

    assert enrollment_store.get(runtime, fatima["_id"])["status"] == "confirmed"


def test_a_restarted_sweep_starts_at_its_stored_mark_not_with_every_session(runtime, clock):
    sessions = [world.schedule(runtime, capacity=5) for _ in range(3)]
    for n, session_id in enumerate(sessions):
        seat_store.enroll(runtime, session_id, world.officer(runtime, f"Officer{n}"))
    first = enrollment_sweep.Sweep(runtime, clock=clock)
    _passes(first, clock, 2 * SETTLE)
    _later(clock)
    ayesha = seat_store.enroll(runtime, sessions[0], world.officer(runtime, "Ayesha"))
    _copies(runtime).delete_one({"_id": ayesha["_id"]})

    again = enrollment_sweep.Sweep(runtime, clock=clock)  # the worker restarted
    done = _passes(again, clock, 2 * SETTLE)

    assert done["looked"] == 2  # the one session noted since the mark, seen then verified
    assert enrollment_store.get(runtime, ayesha["_id"])["status"] == "confirmed"


def test_the_seats_a_process_remembers_are_bounded_by_their_enrollments(runtime, monkeypatch):
    monkeypatch.setattr(seat_log_store, "REMEMBERED_ENROLLMENTS", 5)
    sessions = [world.schedule(runtime, capacity=5) for _ in range(3)]
    for n, session_id in enumerate(sessions):
        group_enrollment_store.enroll_group(
            runtime, session_id, [world.officer(runtime, f"O{n}{m}")["_id"] for m in range(3)])

    assert seat_log_store.remembered(runtime, sessions[0]) is None  # the oldest, dropped
    assert seat_log_store.remembered(runtime, sessions[2]).revision == 1
    assert seat_log_store.state(runtime, sessions[0]).revision == 1  # read again when asked
