"""What a process remembers of the streams (`stream_store`): where each ends, its open group's
entries, and the sealed groups it read.

All of it is only ever behind the database and never wrong: an entry, once inserted under its
number, is never changed or removed, and a sealed group is the exact copy of its GROUP entries.
So a reader that remembers a stream's end looks whether anything follows it (one read by `_id`)
instead of reading the head and walking the open group again, and a page's sealed group is
read once per process. Bounded: the least recently used are forgotten first.
"""

import threading
from collections import OrderedDict

GROUP = 20
REMEMBERED = 4000  # streams whose end and open group (< 20 entries) a process keeps
REMEMBERED_GROUPS = 300  # sealed groups of 20 entries (a few MB)


class Known:
    """Where streams end and their open group's entries, as this process last saw them.

    A stale end only costs an insert refused and a few reads: the unique insert decides each
    number."""

    def __init__(self):
        self.lock = threading.Lock()
        self.streams: OrderedDict[tuple, tuple[int, dict[int, dict]]] = OrderedDict()

    def get(self, key: tuple) -> tuple[int, dict[int, dict]] | None:
        with self.lock:
            if key in self.streams:
                self.streams.move_to_end(key)
                end, tail = self.streams[key]
                return end, dict(tail)
            return None

    def put(self, key: tuple, end: int, tail: dict[int, dict]) -> None:
        boundary = end - end % GROUP
        with self.lock:
            known = self.streams.get(key)
            if known is not None and known[0] > end:
                return
            self.streams[key] = (end, {n: e for n, e in tail.items() if n >= boundary})
            self.streams.move_to_end(key)
            while len(self.streams) > REMEMBERED:
                self.streams.popitem(last=False)


class Groups:
    """Sealed groups this process read or wrote, by (database, collection, group id)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.groups: OrderedDict[tuple, list[dict]] = OrderedDict()

    def get(self, key: tuple) -> list[dict] | None:
        with self.lock:
            entries = self.groups.get(key)
            if entries is not None:
                self.groups.move_to_end(key)
            return entries

    def put(self, key: tuple, entries: list[dict]) -> None:
        with self.lock:
            self.groups[key] = entries
            self.groups.move_to_end(key)
            while len(self.groups) > REMEMBERED_GROUPS:
                self.groups.popitem(last=False)


known = Known()
groups = Groups()


def forget() -> None:
    """Forget everything (a process that has read nothing yet: tests and the bench's cold
    reads)."""
    with known.lock:
        known.streams.clear()
    with groups.lock:
        groups.groups.clear()
