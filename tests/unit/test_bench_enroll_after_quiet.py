"""The bench measures enrollments on a stack that finished the officers it created just before:
their acknowledgements are drained first, so their work is not counted as the enrollments'."""

import pytest

from bench import scenarios, sizes


class _StopError(Exception):
    pass


def test_the_creates_backlog_is_drained_before_enrollments_are_measured(monkeypatch):
    done = []
    monkeypatch.setattr(sizes.stack_fixtures, "stack_cpu", lambda stack: {})
    monkeypatch.setattr(scenarios, "create_participants",
                        lambda *a, **k: done.append("create") or {"statuses": {}})
    monkeypatch.setattr(scenarios, "enroll", lambda *a, **k: done.append("enroll") or {
        "statuses": {}})

    def drain(what):
        done.append(f"drain {what}")
        if "writes" in what:
            raise _StopError
        return {}

    fixtures = {"participant_numbers": [1], "officers": [], "enrolling": [[]]}
    with pytest.raises(_StopError):
        sizes.measure("small", type("Stack", (), {"urls": {}})(), None, {}, fixtures, None,
                      lambda line: None, drain)

    assert done == ["create", "drain left by small's creates", "enroll",
                    "drain left by small's writes"]
