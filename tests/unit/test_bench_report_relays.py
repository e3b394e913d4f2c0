"""BENCHMARKS.md says what the outbox relays did during each size's phases: where their
emptying bursts landed is what moves the large/small ratios."""

from itertools import takewhile

from bench import report


def _work(emptied: tuple, owed: tuple) -> dict:
    return {service: {"records": 1 if n else 0, "emptied": n, "owed_at_end": o}
            for service, n, o in zip(("registration", "sessions", "notifications"), emptied,
                                     owed, strict=True)}


RAW = {"relays_by_phase": {
    "baseline: raw pymongo insert_one, one process (5 s)": _work((0, 0, 0), (0, 0, 0)),
    "set-up: 50 officers, 29 sessions known to registration": _work((0, 0, 0), (2, 6, 2)),
    "seeding (small): participants, sessions and enrollments toward 2,000 each through the "
    "APIs (budget 90 s)": _work((0, 0, 0), (26, 43, 61)),
    "small: create participants, 8 clients (5 s)": _work((0, 0, 0), (0, 0, 0)),
    "small: listing page, enrollments (2 clients, 5 s)": _work((627, 71, 689), (84, 37, 79)),
    "seeding (large): participants, sessions and enrollments toward 20,000 each through the "
    "APIs (budget 90 s)": _work((18454, 481, 11416), (0, 0, 178)),
    "large: create participants, 8 clients (5 s)": _work((0, 0, 1580), (35, 0, 156)),
    "large: enroll, 8 clients (5 s)": {},  # the store did not answer at the phase's end
    "fan-out: reschedule, then cancel, a session with 24 officers": _work((607, 120, 1099),
                                                                           (2, 4, 23)),
}}


def _results(raw: dict) -> dict:
    return {"when": "2026-11-30T16:16:57+00:00", "machine": "2 cores", "rows": [], "raw": raw,
            "memory": {"idle": {"registration-api": 33.4}, "after_load": {}}}


def test_the_report_shows_each_sizes_phases_where_the_relays_emptied_or_owed(monkeypatch):
    monkeypatch.setattr(report, "_sizes", lambda raw: [])

    text = report.markdown(_results(RAW))

    lines = text.splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("| phase"))
    table = list(takewhile(bool, lines[start:]))
    assert [line for line in table if line != "|---|---|---|"] == [
        "| phase | outboxes emptied (registration / sessions / notifications) "
        "| records owed at its end (registration / sessions / notifications) |",
        "| seeding (small) | 0 / 0 / 0 | 26 / 43 / 61 |",
        "| small: listing page, enrollments (2 clients, 5 s) | 627 / 71 / 689 | 84 / 37 / 79 |",
        "| seeding (large) | 18,454 / 481 / 11,416 | 0 / 0 / 178 |",
        "| large: create participants, 8 clients (5 s) | 0 / 0 / 1,580 | 35 / 0 / 156 |"]
    assert text.count("What the outbox relays did during each phase") == 1


def test_a_run_that_kept_no_record_of_the_relays_has_no_such_section(monkeypatch):
    monkeypatch.setattr(report, "_sizes", lambda raw: [])

    text = report.markdown(_results({}))

    assert "outbox relays" not in text and "| phase |" not in text
