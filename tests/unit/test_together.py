"""Writes of a process's threads made as one (`common.persistence.together`)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from common.persistence import together


def test_threads_writing_at_once_share_a_write_and_each_gets_its_own_results():
    writes, first_write_started, release = [], threading.Event(), threading.Event()

    def write_all(items):
        writes.append(list(items))
        first_write_started.set()
        release.wait(5)
        return [item * 10 for item in items]

    with ThreadPoolExecutor(6) as pool:
        first = pool.submit(together.write, "k1", [0], write_all)
        first_write_started.wait(5)
        rest = [pool.submit(together.write, "k1", [n, n + 100], write_all) for n in range(1, 6)]
        turn = together._turn("k1")
        while len(turn.queued) < 5:  # all five wait for the first write to end
            threading.Event().wait(0.01)
        release.set()
        assert first.result() == [0]
        assert [r.result() for r in rest] == [[n * 10, (n + 100) * 10] for n in range(1, 6)]
    assert len(writes) == 2  # the first alone, then the five that queued meanwhile, as one
    assert sorted(writes[1]) == sorted([*range(1, 6), *range(101, 106)])


def test_a_failed_write_fails_every_caller_it_wrote_for_and_the_next_turn_writes_again():
    def failing(items):
        raise ConnectionError("database down")

    with pytest.raises(ConnectionError):
        together.write("k2", ["a"], failing)
    assert together.write("k2", ["b"], lambda items: [i.upper() for i in items]) == ["B"]
