"""The `make run` supervisor's policy, with fake processes and a fake clock."""

from pathlib import Path

import pytest

from devstack.supervise import CrashLoopError, Policy, Supervisor


class FakeChild:
    def __init__(self, name: str, fails_to_start: int = 0):
        self.name, self.log = name, Path(f"/logs/{name}.log")
        self.running, self.starts, self.fails_to_start = True, 0, fails_to_start

    def alive(self) -> bool:
        return self.running

    def restart(self) -> None:
        self.starts += 1
        if self.fails_to_start:
            self.fails_to_start -= 1
            raise RuntimeError("port busy")
        self.running = True


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _supervisor(*children):
    said, clock = [], Clock()
    return Supervisor(list(children), Policy(), clock=clock, say=said.append), clock, said


def test_a_crashed_worker_is_restarted_after_the_backoff_and_the_others_are_left_alone():
    worker, api = FakeChild("notifications-worker"), FakeChild("registration-api")
    supervisor, clock, said = _supervisor(worker, api)
    worker.running = False
    supervisor.tick()
    assert worker.starts == 0 and "notifications-worker exited; restarting it in 1s" in said[0]
    clock.now += 0.5
    supervisor.tick()
    assert worker.starts == 0  # still backing off
    clock.now += 0.5
    supervisor.tick()
    assert (worker.starts, worker.running, api.starts) == (1, True, 0)
    assert said[-1] == "==> notifications-worker restarted"


def test_the_backoff_doubles_with_each_crash_within_the_window():
    broker = FakeChild("kafka")
    supervisor, clock, said = _supervisor(broker)
    delays = []
    for _ in range(4):
        broker.running = False
        supervisor.tick()
        delays.append(said[-1].split("restarting it in ")[1].split("s")[0])
        clock.now += 10
        supervisor.tick()
    assert delays == ["1", "2", "4", "8"]


def test_five_crashes_within_a_minute_stop_everything():
    ferretdb = FakeChild("ferretdb")
    supervisor, clock, _ = _supervisor(ferretdb)
    for _ in range(4):
        ferretdb.running = False
        supervisor.tick()
        clock.now += 10
        supervisor.tick()
    ferretdb.running = False
    with pytest.raises(CrashLoopError, match="ferretdb crashed 5 times within 60s"):
        supervisor.tick()


def test_crashes_spread_over_more_than_a_minute_are_restarted_for_ever():
    smtp = FakeChild("smtp")
    supervisor, clock, said = _supervisor(smtp)
    for _ in range(12):
        smtp.running = False
        supervisor.tick()
        clock.now += 20
        supervisor.tick()
    assert smtp.starts == 12 and smtp.running
    assert max(int(s.split("crash ")[1].split()[0]) for s in said if "crash " in s) <= 3


def test_a_restart_that_fails_counts_as_a_crash_and_is_tried_again():
    api = FakeChild("sessions-api", fails_to_start=1)
    supervisor, clock, said = _supervisor(api)
    api.running = False
    supervisor.tick()
    clock.now += 1
    supervisor.tick()
    assert api.starts == 1 and "did not start again: port busy" in said[-2]
    assert "restarting it in 2s" in said[-1]
    clock.now += 2
    supervisor.tick()
    assert api.starts == 2 and api.running
