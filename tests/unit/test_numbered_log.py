"""Numbered streams keyed by `_id`, as every service's stores use them (`common.persistence`)."""

from common.persistence import numbered_log
from tests.fakes import CountingReads, FakeRuntime


def test_a_batch_append_puts_an_entry_whose_number_was_taken_after_the_others():
    feed = FakeRuntime("notifications").db["feed_entries"]
    numbered_log.append(feed, "ayesha", 1, {"n": "another worker's"})
    ends = numbered_log.append_many(feed, {"ayesha": 0, "fatima": 0},
                                    {"ayesha": [{"n": "a0"}, {"n": "a1"}, {"n": "a2"}],
                                     "fatima": [{"n": "f0"}]})
    assert ends == {"ayesha": 4, "fatima": 1}
    assert numbered_log.first_gap(feed, "ayesha", 0) == 4
    assert [e["n"] for e in numbered_log.read(feed, "ayesha", range(4))] == [
        "a0", "another worker's", "a2", "a1"]
    assert [e["n"] for e in numbered_log.read(feed, "fatima", [0, 1])] == ["f0"]


def test_threads_appending_at_once_take_each_number_once_and_leave_no_gap():
    from concurrent.futures import ThreadPoolExecutor
    pages = FakeRuntime("registration").db["pages"]
    numbered_log.append(pages, "all", 3, {"n": "another process's"})

    def register(n: int) -> list[int]:
        return numbered_log.append_each(pages, [("all", {"n": n}), (f"agency:{n % 2}", {"n": n})])

    with ThreadPoolExecutor(8) as pool:
        numbers = list(pool.map(register, range(60)))
    assert sorted(n for n, _ in numbers) == [n for n in range(61) if n != 3]
    assert sorted(a for _, a in numbers) == sorted([*range(30), *range(30)])
    assert numbered_log.length(pages, "all") == 61
    assert numbered_log.length(pages, "agency:1") == 30


def test_a_process_that_never_looked_finds_the_end_of_a_long_stream_in_few_reads():
    pages = FakeRuntime("registration").db["pages"]
    pages.insert_many([{"_id": numbered_log.entry_id("all", n)} for n in range(1000)])
    counted = CountingReads(pages)
    assert numbered_log.length(counted, "all") == 1000
    assert counted.reads < 25  # one by one it was 1,001 reads (16 s a page at 20,000 officers)
