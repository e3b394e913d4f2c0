"""The bench's and its probes' one start of a counted stack: its own name, topics and counted
folder, free ports, and a clean stop in which every step runs whatever the one before did."""

import pytest

from bench import counted_stack
from devstack.infra.stack import Infra


class _Fake:
    def __init__(self, monkeypatch, tmp_path, ready=True, stop_fails=False):
        self.done, self.started_with = [], {}
        local = Infra("127.0.0.1:1", "mongodb://127.0.0.1:2", "127.0.0.1", 3, None, ["kafka"])
        monkeypatch.setattr(counted_stack.infra, "up", lambda: local)
        monkeypatch.setattr(counted_stack.infra, "state_dir", lambda: tmp_path)
        monkeypatch.setattr(counted_stack.infra, "ensure_topics",
                            lambda bootstrap, topics: self.done.append(("topics", topics)))
        monkeypatch.setattr(counted_stack.infra, "down",
                            lambda started: self.done.append(("infra down", started)))
        ports = iter(range(41000, 41010))
        monkeypatch.setattr(counted_stack.fixtures, "free_port", lambda: next(ports))
        monkeypatch.setattr(counted_stack.fixtures, "drop_databases",
                            lambda uri, name: self.done.append(("drop", name)))
        stack = type("Stack", (), {"urls": {"registration": "http://r", "sessions": "http://s"}})

        def start(env, ports, log_dir, api_workers):
            self.started_with = {"env": env, "ports": ports, "log_dir": log_dir,
                                 "api_workers": api_workers}
            return stack

        def wait_ready(stack, timeout_s):
            if not ready:
                raise RuntimeError("registration not ready")

        def stop(stack):
            self.done.append("stack stopped")
            if stop_fails:
                raise OSError("gone")

        monkeypatch.setattr(counted_stack.services, "start", start)
        monkeypatch.setattr(counted_stack.services, "wait_ready", wait_ready)
        monkeypatch.setattr(counted_stack.services, "stop", stop)


def test_a_counted_stack_has_its_own_name_topics_folder_and_free_ports(monkeypatch, tmp_path):
    fake = _Fake(monkeypatch, tmp_path)

    with counted_stack.CountedStack("probe", "probe", env={"LOG_LEVEL": "INFO"},
                                    pythonpath="/repo", drop=False) as started:
        assert started.name.startswith("probe") and len(started.name) == len("probe") + 6
        assert started.counted == tmp_path / "probe-commands" and started.counted.is_dir()
        env = fake.started_with["env"]
        assert (env["STACK_NAME"], env["TOPIC_PREFIX"]) == (started.name, f"{started.name}.")
        assert env["LOG_LEVEL"] == "INFO"
        assert env["BENCH_COMMANDS_DIR"] == str(started.counted)
        assert env["PYTHONPATH"].endswith(":/repo")
        assert env["MONGO_URI"] == "mongodb://127.0.0.1:2"
        assert fake.started_with["ports"] == {"registration": 41000, "sessions": 41001,
                                              "notifications": 41002}
        assert fake.started_with["log_dir"] == tmp_path / "probe-logs"
        assert fake.started_with["api_workers"] == 2
        assert started.extra is None
        [(_, topics)] = fake.done
        assert all(t.startswith(f"{started.name}.") for t in topics)

    assert fake.done[1:] == ["stack stopped"]  # its databases kept, the infrastructure left up


def test_the_stop_goes_on_after_a_failed_step_and_says_it(monkeypatch, tmp_path):
    fake = _Fake(monkeypatch, tmp_path, stop_fails=True)
    said = []

    with counted_stack.CountedStack("bench", "bench", extra_workers=True, infra_down=True,
                                    say=said.append) as started:
        monkeypatch.setattr(started.extra, "stop", lambda: fake.done.append("extra stopped"))
        assert started.extra.env["REGISTRATION_URL"] == "http://r"
        assert started.extra.env["SESSIONS_URL"] == "http://s"
        name = started.name

    assert fake.done[1:] == ["extra stopped", "stack stopped", ("drop", name),
                             ("infra down", ["kafka"])]
    assert said == ["clean-up step failed: OSError('gone')"]


def test_a_stack_that_is_never_ready_is_stopped_and_its_databases_dropped(monkeypatch,
                                                                          tmp_path):
    fake = _Fake(monkeypatch, tmp_path, ready=False)

    with pytest.raises(RuntimeError, match="not ready"):
        with counted_stack.CountedStack("sweep", "sweep-probe"):
            pytest.fail("entered a stack that was not ready")

    assert [step if isinstance(step, str) else step[0] for step in fake.done[1:]] == [
        "stack stopped", "drop"]
