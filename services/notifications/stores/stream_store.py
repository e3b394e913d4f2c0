"""Numbered streams of small entries keyed by `_id`: what a feed page, a roster or a due-time
bucket reads, without a query over a whole collection.

Entries are numbered 0, 1, 2... and written in chunks (`stream_chunks`): the entries a writer
appends to a stream at once, one document keyed by the first one's number. An append is a
unique insert at the stream's end; a writer whose place another worker took reads the chunk
that won (one read, however many entries it holds) and inserts after it.

Every GROUP entries are then sealed into one group document (a unique insert of their exact
copies: two sealers write the same thing), so a reader reads a group per GROUP entries and only
the open tail chunk by chunk. A head per stream says where its sealed groups end; it is written
with the seals (a lost write only costs reads): readers step forward from it, chunk by chunk,
to the first free number.

A process remembers where the streams it wrote or read end, the entries of their open group
and the sealed groups it read (`stream_memory`), so an append usually reads nothing first, the
writer that fills a group seals it without reading it back, and a page of a stream this process
read before is one read (nothing follows its end) when the stream has not grown; a reader that
had to read a whole unsealed group seals it.
"""

from collections import defaultdict
from collections.abc import Iterable

from pymongo.errors import BulkWriteError

from common.persistence import by_id, claims, numbered_log
from common.runtime import Runtime
from services.notifications.stores import stream_chunks as chunks
from services.notifications.stores import stream_memory
from services.notifications.stores.stream_memory import GROUP, forget  # noqa: F401

DRIFT = 4  # entries a writer that found a stream's end reads at most before it moves the head
_known = stream_memory.known
_groups = stream_memory.groups


def group_id(stream: str, index: int) -> str:
    return f"g|{stream}|{index:08d}"


class Streams:
    """The streams kept in ``<name>_entries``, their groups and heads in ``<name>_heads``."""

    def __init__(self, runtime: Runtime, name: str):
        self.entries = runtime.db[f"{name}_entries"]
        self.heads = runtime.db[f"{name}_heads"]

    def _key(self, stream: str) -> tuple:
        return (self.entries.database.name, self.entries.name, stream)

    # -- writing ------------------------------------------------------------------------

    def append_many(self, appended: Iterable[tuple[str, dict]]) -> None:
        """Append each (stream, entry) in order: two inserts for all (no read first for the
        streams this process wrote last), a read (side by side) and a round more for the
        chunks another writer's chunk took the place of, and one write sealing the groups
        filled."""
        waiting: dict[str, list[dict]] = defaultdict(list)
        for stream, entry in appended:
            waiting[stream].append(entry)
        if not waiting:
            return
        state, walked = {}, {}
        for stream in waiting:
            state[stream] = _known.get(self._key(stream))
            if state[stream] is None:
                head = self._head(stream)
                state[stream] = self._walk(stream, head)
                if state[stream][0] - head >= DRIFT:  # read far: the next cold reader won't
                    walked[stream] = state[stream][0]
        filled: dict[str, set[int]] = defaultdict(set)
        while waiting:
            # Each stream's first chunk in one unordered insert (each may lose its place to
            # another writer), then the rest of those that won in one ordered insert: it stops
            # at a chunk refused, so no chunk is ever written past a number left free.
            firsts = [(stream, *chunks.sliced(state[stream][0], entries)[0])
                      for stream, entries in waiting.items()]
            taken = claims.insert_each(self.entries, [chunks.document(*c) for c in firsts])
            rest = [(stream, *later) for index, (stream, start, chunk) in enumerate(firsts)
                    if index not in taken
                    for later in chunks.sliced(start + len(chunk),
                                               waiting[stream][len(chunk):])]
            inserted, refused = chunks.insert_in_order(
                self.entries, [chunks.document(*c) for c in rest])
            lost = [firsts[index] for index in sorted(taken)] + rest[inserted:inserted + refused]
            # Another writer's chunk starts where each lost one would: read side by side.
            theirs = by_id.side_by_side(lambda at: self._chunk(*at) or [],
                                        [(stream, start) for stream, start, _ in lost])
            for stream, start, chunk in ([firsts[index] for index in range(len(firsts))
                                          if index not in taken] + rest[:inserted]):
                state[stream][1].update(chunks.numbered(start, chunk))
                state[stream] = (start + len(chunk), state[stream][1])
                if (start + len(chunk)) % GROUP == 0:
                    filled[stream].add(start // GROUP)
                waiting[stream] = waiting[stream][len(chunk):]
            for stream, start, _ in lost:  # written after the other writer's chunk next time
                state[stream][1].update(chunks.numbered(start, theirs[(stream, start)]))
                state[stream] = (start + len(theirs[(stream, start)]), state[stream][1])
            waiting = {stream: entries for stream, entries in waiting.items() if entries}
        for stream, (end, tail) in state.items():
            _known.put(self._key(stream), end, tail)
        self._seal([(stream, index, state[stream][1]) for stream, indexes in filled.items()
                    for index in indexes], walked)

    def _seal(self, candidates: list[tuple[str, int, dict[int, dict]]],
              heads: dict[str, int] | None = None) -> None:
        """Seal each group whose GROUP entries are all known (one insert; a group sealed by
        another writer meanwhile is the same), then move each stream's head past its seals
        (and ``heads`` to where they are known to end), a few to a command."""
        groups, ends = [], dict(heads or {})
        for stream, index, entries in candidates:
            numbers = range(index * GROUP, (index + 1) * GROUP)
            if all(n in entries for n in numbers):
                groups.append({"_id": group_id(stream, index), "stream": stream,
                               "entries": [entries[n] for n in numbers]})
                ends[stream] = max(ends.get(stream, 0), numbers.stop)
        claims.insert_each(self.heads, groups)
        for group in groups:  # written now, or by another sealer: the same entries
            _groups.put(self._key(group["_id"]), group["entries"])
        moved = {stream: {"$max": {"next": end}} for stream, end in ends.items()}
        try:  # in commands of a few heads each, not one per stream
            by_id.write_each(self.heads, moved, upsert=True)
        except BulkWriteError:  # a head created by another writer at the same moment
            for stream, update in moved.items():
                by_id.write(self.heads, stream, update)

    # -- reading --------------------------------------------------------------------------

    def _group(self, stream: str, index: int) -> list[dict] | None:
        """A sealed group's entries (never changed once sealed: read once per process)."""
        key = self._key(group_id(stream, index))
        entries = _groups.get(key)
        if entries is None:
            group = self.heads.find_one({"_id": group_id(stream, index)})
            if group is None:
                return None
            entries = group["entries"]
            _groups.put(key, entries)
        return entries

    def _chunk(self, stream: str, number: int) -> list[dict] | None:
        """The entries of the chunk that starts at ``number``, or None if none starts there."""
        found = self.entries.find_one({"_id": numbered_log.entry_id(stream, number)})
        return None if found is None else chunks.unpacked(found)

    def _head(self, stream: str) -> int:
        head = self.heads.find_one({"_id": stream})
        return head["next"] if head else 0

    def _located(self, stream: str, start: int = 0) -> tuple[int, dict[int, dict]]:
        """Where the stream ends, and the entries read on the way (by number): from its head
        (or ``start``, the start of a chunk, if further), forward chunk by chunk to the end."""
        return self._walk(stream, max(self._head(stream), start))

    def _walk(self, stream: str, number: int, sealed_below: int = 0
              ) -> tuple[int, dict[int, dict]]:
        """Forward from ``number`` (where a chunk starts: a multiple of GROUP, or an end this
        process saw) to the end: a group read for each whole group below ``sealed_below``
        (heads move mostly with seals: a group missing is read by chunk)."""
        seen = {}
        while True:
            if number % GROUP == 0 and number + GROUP <= sealed_below:
                group = self._group(stream, number // GROUP)
                if group is not None:
                    seen.update(zip(range(number, number + GROUP), group, strict=True))
                    number += GROUP
                    continue
            chunk = self._chunk(stream, number)
            if chunk is None:
                return number, seen
            seen.update(chunks.numbered(number, chunk))
            number += len(chunk)

    def following(self, stream: str, start: int) -> tuple[int, list[dict]]:
        """The entries numbered from ``start`` on, oldest first, and where the stream ends:
        those this process wrote from memory, then one read to see that nothing follows
        (else forward by group and chunk, from the start of ``start``'s group)."""
        known, taken = _known.get(self._key(stream)), {}
        if known is not None and all(n in known[1] for n in range(start, known[0])):
            taken = {n: known[1][n] for n in range(start, known[0])}
            end, seen = self._walk(stream, max(start, known[0]))
        else:
            end, seen = self._walk(stream, start - start % GROUP, self._head(stream))
        taken.update((n, entry) for n, entry in seen.items() if n >= start)
        return end, [taken[n] for n in sorted(taken)]

    def _ended(self, stream: str) -> tuple[int, dict[int, dict]]:
        """Where the stream ends and entries of its open group: as this process last saw it
        and one read that nothing follows, else from its head (`_located`)."""
        known = _known.get(self._key(stream))
        if known is None:
            return self._located(stream)
        end, tail = known
        if self.entries.find_one({"_id": numbered_log.entry_id(stream, end)}) is None:
            return end, tail
        end, seen = self._located(stream, end)
        return end, {**tail, **seen}

    def length(self, stream: str) -> int:
        """How many entries the stream holds."""
        return self._located(stream)[0]

    def read(self, stream: str, numbers: Iterable[int], seen: dict[int, dict] | None = None,
             total: int = 0) -> list[dict]:
        """The entries of these numbers that exist, in the order asked: a group read for each
        sealed group they fall in, else chunk by chunk. A whole group (below ``total``) found
        unsealed is read whole and sealed, so the next reader reads it at once."""
        seen = dict(seen or {})
        return self._read_into(stream, list(numbers), seen, total)

    def _read_into(self, stream: str, numbers: list[int], seen: dict[int, dict],
                   total: int) -> list[dict]:
        """`read`, adding what it read to ``seen``."""
        wanted: dict[int, set[int]] = defaultdict(set)
        for n in numbers:
            if n not in seen:
                wanted[n // GROUP].add(n)
        unsealed = []
        for index, missing in wanted.items():
            group = self._group(stream, index)
            span = range(index * GROUP, (index + 1) * GROUP)
            if group is not None:
                seen.update(zip(span, group, strict=True))
                continue
            number, read = span.start, 0  # a group starts a chunk: forward by chunk
            while number < span.stop and not missing <= seen.keys():
                chunk = self._chunk(stream, number)
                if chunk is None:
                    break
                seen.update(chunks.numbered(number, chunk))
                number, read = number + len(chunk), read + 1
            if read > 1 and index < total // GROUP and all(n in seen for n in span):
                unsealed.append((stream, index, seen))
        self._seal(unsealed)
        return [seen[n] for n in numbers if n in seen]

    def newest_first(self, stream: str, skip: int, limit: int) -> tuple[list[dict], int]:
        """One page of the stream, newest entry first, and the stream's length."""
        total, seen = self._ended(stream)
        last = total - 1 - skip
        page = self._read_into(stream, list(range(last, max(-1, last - limit), -1)), seen, total)
        _known.put(self._key(stream), total, seen)
        return page, total

    def everything(self, stream: str) -> list[dict]:
        """Every entry of the stream, oldest first."""
        total, seen = self._ended(stream)
        found = self._read_into(stream, list(range(total)), seen, total)
        _known.put(self._key(stream), total, seen)
        return found
