"""Readiness from the last known state: fake checks, no broker."""

import logging
import threading

from common.health_endpoints import Readiness


def test_an_outage_is_logged_once_as_a_warning_and_its_end_once(caplog):
    state = {"kafka": "Kafka unavailable: KafkaTimeoutError"}
    readiness = Readiness({"kafka": lambda: state["kafka"]})
    with caplog.at_level(logging.INFO, logger="common.health_endpoints"):
        for _ in range(5):
            readiness.check_once("kafka")
        assert readiness.reasons() == ["Kafka unavailable: KafkaTimeoutError"]
        state["kafka"] = None
        for _ in range(5):
            readiness.check_once("kafka")
        assert readiness.reasons() == []
    said = [(r.levelname, r.getMessage()) for r in caplog.records]
    assert said == [("WARNING", "dependency unavailable"), ("INFO", "dependency available again")]


def test_a_check_that_hangs_does_not_hold_up_the_answer_and_counts_as_no_answer():
    now = {"t": 100.0}
    release = threading.Event()
    calls = {"n": 0}

    def kafka():
        calls["n"] += 1
        if calls["n"] > 1:
            release.wait(10)  # the broker stops answering without refusing
        return None

    readiness = Readiness({"kafka": kafka}, clock=lambda: now["t"])
    readiness.check_once("kafka")
    assert readiness.reasons() == []
    hung = threading.Thread(target=readiness.check_once, args=("kafka",))
    hung.start()
    try:
        now["t"] += 5
        assert readiness.reasons(wait_s=0) == ["kafka not answering for 5s"]
    finally:
        release.set()
        hung.join()


def test_before_the_first_check_it_is_not_ready():
    readiness = Readiness({"mongodb": lambda: None, "kafka": lambda: None})
    readiness.check_once("mongodb")
    assert readiness.reasons(wait_s=0) == ["kafka: not checked yet"]
