"""Numbered streams of small entries keyed by `_id`: what a feed page, a roster or a due-time
bucket reads, without a query over a whole collection.

Entry n of a stream is `{_id: "<stream>:<n>"}` (`common.persistence.numbered_log`), so an
append is a unique insert: two workers appending to one stream never overwrite each other, the
loser takes the next number. A head document per stream remembers roughly where it ends; it
lags (it moves once the stream has grown by DRIFT, and a write may be lost), so readers step
forward from it to the first gap.
"""

from collections import defaultdict
from collections.abc import Iterable

from pymongo.errors import BulkWriteError

from common.persistence import by_id, numbered_log
from common.runtime import Runtime

DRIFT = 4  # entries a reader steps over past a head, at most, unless a head write was lost


class Streams:
    """The streams kept in ``<name>_entries`` with their heads in ``<name>_heads``."""

    def __init__(self, runtime: Runtime, name: str):
        self.entries = runtime.db[f"{name}_entries"]
        self.heads = runtime.db[f"{name}_heads"]

    def append_many(self, appended: Iterable[tuple[str, dict]]) -> None:
        """Append each (stream, entry) in order: one insert for all, a retry for each number
        another writer took meanwhile."""
        by_stream: dict[str, list[dict]] = defaultdict(list)
        for stream, entry in appended:
            by_stream[stream].append(entry)
        if not by_stream:
            return
        hints = {stream: self._hint(stream) for stream in by_stream}
        starts = {stream: self._end(stream, hint) for stream, hint in hints.items()}
        ends = numbered_log.append_many(self.entries, starts, by_stream)
        self._move_heads({s: end for s, end in ends.items() if end - hints[s] >= DRIFT}, hints)

    def _move_heads(self, ends: dict[str, int], heads: dict[str, int]) -> None:
        """Heads move only once a stream has grown by DRIFT past them, so a fan-out to 500
        officers moves few of theirs, and a reader steps over fewer than DRIFT entries. Each
        is written alone by `_id` (see `common.persistence`)."""
        fresh = [{"_id": stream, "next": end} for stream, end in ends.items() if not heads[stream]]
        if fresh:
            try:
                self.heads.insert_many(fresh, ordered=False)
            except BulkWriteError:
                pass  # a head another writer created meanwhile: it is stepped forward from
        for stream, end in ends.items():
            if heads[stream]:
                by_id.set_fields(self.heads, stream, {"next": end})

    def _hint(self, stream: str) -> int:
        head = by_id.get(self.heads, stream)
        return head["next"] if head else 0

    def _end(self, stream: str, number: int) -> int:
        return numbered_log.first_gap(self.entries, stream, number)

    def length(self, stream: str) -> int:
        """How many entries the stream holds: its head, then forward to the first gap."""
        return self._end(stream, self._hint(stream))

    def read(self, stream: str, numbers: Iterable[int]) -> list[dict]:
        """The entries of these numbers, in the order asked."""
        return numbered_log.read(self.entries, stream, numbers)

    def newest_first(self, stream: str, skip: int, limit: int) -> tuple[list[dict], int]:
        """One page of the stream, newest entry first, and the stream's length."""
        total = self.length(stream)
        last = total - 1 - skip
        return self.read(stream, range(last, max(-1, last - limit), -1)), total

    def everything(self, stream: str) -> list[dict]:
        """Every entry of the stream, oldest first."""
        return self.read(stream, range(self.length(stream)))
