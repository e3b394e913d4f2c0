"""The bench waits for a quiet stack after seeding, says how it went, and where its time went."""

from bench import run


def test_the_drain_waits_for_no_lag_and_nothing_pending_telling_its_progress(monkeypatch):
    lags = iter([{"t": 300}, {"t": 100}, {"t": 0}, {"t": 0}])
    pending = iter([5, 0])
    monkeypatch.setattr(run, "_pending", lambda url, headers: next(pending))
    monkeypatch.setattr(run, "PROGRESS_S", 0)
    monkeypatch.setattr(run.time, "sleep", lambda s: None)
    told = []

    left = run._drained("http://notifications", {}, lambda: next(lags), 60, told.append)

    assert (left["unconsumed"], left["pending"]) == (0, 0)
    assert [(t["unconsumed"], t["pending"]) for t in told] == [(300, 0), (100, 0), (0, 5)]


def test_the_drain_gives_up_at_its_budget_saying_what_is_left(monkeypatch):
    monkeypatch.setattr(run.time, "sleep", lambda s: None)

    left = run._drained("http://notifications", {}, lambda: {"t": 42}, 0)

    assert left["unconsumed"] == 42


def test_phases_are_timed_from_one_progress_line_to_the_next_longest_first(monkeypatch):
    monkeypatch.setattr(run, "PHASES", [(0.0, "baseline"), (10.0, "seeding"),
                                        (100.0, "fan-out")])

    assert run.phase_times(130.0) == [{"phase": "seeding", "seconds": 90.0},
                                      {"phase": "fan-out", "seconds": 30.0},
                                      {"phase": "baseline", "seconds": 10.0}]


def test_the_drain_after_seeding_also_waits_for_registrations_sweep_to_be_idle(monkeypatch):
    monkeypatch.setattr(run, "_pending", lambda url, headers: 0)
    monkeypatch.setattr(run, "PROGRESS_S", 0)
    monkeypatch.setattr(run.time, "sleep", lambda s: None)
    idle = iter([False, False, True])
    told = []

    left = run._drained("http://notifications", {}, lambda: {"t": 0}, 60, told.append,
                        swept=lambda: next(idle))

    assert (left["unconsumed"], left["pending"], left["sweeping"]) == (0, 0, False)
    assert [t["sweeping"] for t in told] == [True, True]
