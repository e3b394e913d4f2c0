"""Numbered streams keyed by `_id`, as every service's stores use them (`common.persistence`)."""

from common.persistence import numbered_log
from tests.fakes import FakeRuntime


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
