"""Two workers appending to the same numbered streams (`stream_store`): every entry once, each
worker's in its order, and a place lost to the other worker costs a read per batch it wrote,
not per entry."""

import pytest

from services.notifications.stores import stream_memory, stream_store
from services.notifications.stores.stream_store import GROUP, Streams
from tests.fakes import CountingReads, FakeRuntime


class _Worker:
    """A process of its own: its own memory of the streams."""

    def __init__(self, runtime, monkeypatch):
        self.streams = Streams(runtime, "feed")
        self.streams.entries = CountingReads(self.streams.entries)
        self.memory = (stream_memory.Known(), stream_memory.Groups())
        self.monkeypatch = monkeypatch

    def append(self, entries: list[tuple[str, dict]]) -> int:
        """Appends; the reads of entries it made."""
        self.monkeypatch.setattr(stream_store, "_known", self.memory[0])
        self.monkeypatch.setattr(stream_store, "_groups", self.memory[1])
        before = self.streams.entries.reads
        self.streams.append_many(entries)
        return self.streams.entries.reads - before


@pytest.fixture
def two(monkeypatch):
    runtime = FakeRuntime("notifications")
    return _Worker(runtime, monkeypatch), _Worker(runtime, monkeypatch), runtime


def test_two_workers_appending_in_turn_keep_every_entry_once_and_each_ones_order(two):
    first, second, runtime = two
    for batch in range(6):
        for worker, name in ((first, "a"), (second, "b")):
            worker.append([("all", {"n": f"{name}{batch}.{k}"}) for k in range(batch * 3 + 1)]
                          + [(f"recipient:{k}", {"n": f"{name}{batch}"}) for k in range(2)])

    reader = Streams(runtime, "feed")
    stream_memory.forget()
    written = [e["n"] for e in reader.everything("all")]
    assert sorted(written) == sorted(f"{name}{batch}.{k}" for name in "ab" for batch in range(6)
                                     for k in range(batch * 3 + 1))
    for name in "ab":  # each worker's entries in the order it appended them
        own = [n for n in written if n.startswith(name)]
        assert own == sorted(own, key=lambda n: (int(n[1:].split(".")[0]),
                                                 int(n.split(".")[1])))
    assert reader.length("all") == len(written)
    assert [e["n"] for e in reader.everything("recipient:1")] == [
        f"{name}{batch}" for batch in range(6) for name in "ab"]
    page, total = reader.newest_first("all", GROUP + 1, 5)
    assert ([e["n"] for e in page], total) == (written[::-1][GROUP + 1:GROUP + 6], len(written))


def test_a_worker_whose_place_was_taken_reads_the_other_workers_batch_once(two):
    first, second, _ = two
    first.append([("all", {"n": 0})])
    second.append([("all", {"n": 1})])  # found the end: read the one before
    first.append([("all", {"n": n}) for n in range(2, 17)])  # 15 entries in one batch

    reads = second.append([("all", {"n": 17})])  # its place (2) is taken by those 15
    assert reads == 1
    end, entries = second.streams.following("all", 0)
    assert (end, [e["n"] for e in entries]) == (18, list(range(18)))


def test_a_stream_written_one_document_per_entry_reads_on_and_grows_in_chunks(two):
    first, _, runtime = two
    entries = runtime.db["feed_entries"]
    entries.insert_many([{"_id": f"all:{n:08d}", "n": n} for n in range(GROUP + 3)])

    first.append([("all", {"n": n}) for n in range(GROUP + 3, 2 * GROUP + 5)])
    stream_memory.forget()
    reader = Streams(runtime, "feed")
    assert [e["n"] for e in reader.everything("all")] == list(range(2 * GROUP + 5))
    assert reader.following("all", GROUP + 1)[0] == 2 * GROUP + 5
    assert [e["n"] for e in reader.following("all", GROUP + 1)[1]] == list(
        range(GROUP + 1, 2 * GROUP + 5))


def test_a_long_batch_whose_later_chunk_lost_its_place_goes_on_after_the_winner(two):
    """Another writer can take the start of the next group between a writer's two inserts
    (it read the writer's first chunk): the ordered second insert stops there, no number is
    left free, and the rest follows the winner's chunk in order."""
    first, _, runtime = two
    first.append([("all", {"n": f"a{n}"}) for n in range(5)])
    runtime.db["feed_entries"].insert_one(  # taken the moment after the first chunk
        {"_id": f"all:{GROUP:08d}", "chunk": [{"n": "b0"}, {"n": "b1"}, {"n": "b2"}]})

    first.append([("all", {"n": f"a{n}"}) for n in range(5, 5 + 2 * GROUP)])
    stream_memory.forget()
    written = [e["n"] for e in Streams(runtime, "feed").everything("all")]
    assert written == ([f"a{n}" for n in range(GROUP)] + ["b0", "b1", "b2"]
                       + [f"a{n}" for n in range(GROUP, 5 + 2 * GROUP)])


def test_an_entry_carrying_an_id_of_its_own_is_appended_and_read_back(two):
    """Rosters recorded before they existed are appended as whole enrollments, `_id` and all
    (`enrollment_store.ensure_indexes`): the entry's `_id` once replaced the number's, and the
    entry was lost to readers (and a second one with the same `_id` was refused for ever)."""
    first, _, runtime = two
    enrollment = {"_id": "enrollment-1", "enrollment_id": "enrollment-1", "status": "confirmed"}
    first.append([("session:s", enrollment), ("series:r", enrollment)])

    stream_memory.forget()
    reader = Streams(runtime, "feed")
    assert [e["enrollment_id"] for e in reader.everything("session:s")] == ["enrollment-1"]
    assert [e["enrollment_id"] for e in reader.everything("series:r")] == ["enrollment-1"]
