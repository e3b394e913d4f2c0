"""An append-only log per stream, its entries numbered 0, 1, 2... and keyed by `_id`.

An entry's `_id` is `"<stream>:<number>"`, so appending number n is a unique insert (two
writers racing for the same number: one wins, the other reads what won and decides again), and
catching up after a known number is a read by `_id` per entry instead of a query over the log.
"""

from collections.abc import Iterable

from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from common.persistence import by_id, claims, together


def entry_id(stream: str, number: int) -> str:
    return f"{stream}:{number:08d}"


def append(collection: Collection, stream: str, number: int, entry: dict) -> bool:
    """Write ``entry`` as number ``number`` of ``stream``; False if that number is taken."""
    try:
        collection.insert_one({**entry, "_id": entry_id(stream, number)})
        return True
    except DuplicateKeyError:
        return False


def append_from(collection: Collection, stream: str, number: int, entry: dict) -> int:
    """Write ``entry`` as the first free number of ``stream`` from ``number`` on; that number."""
    while not append(collection, stream, number, entry):
        number += 1
    return number


def append_many(collection: Collection, starts: dict[str, int],
                appended: dict[str, list[dict]]) -> dict[str, int]:
    """Append each stream's entries in order from its start number, with one insert for all
    and a retry for each number another writer took meanwhile; where each stream now ends."""
    documents, placed = [], []
    for stream, entries in appended.items():
        for offset, entry in enumerate(entries):
            number = starts[stream] + offset
            documents.append({**entry, "_id": entry_id(stream, number)})
            placed.append((stream, number, entry))
    taken = claims.insert_each(collection, documents)
    ends = {stream: starts[stream] + len(entries) for stream, entries in appended.items()}
    for index in sorted(taken):  # another writer took the number: the next free one
        stream, number, entry = placed[index]
        ends[stream] = append_from(collection, stream, max(number, ends[stream]), entry) + 1
    return ends


def first_gap(collection: Collection, stream: str, number: int) -> int:
    """The first number from ``number`` on that ``stream`` does not hold (a read by `_id` each)."""
    while collection.find_one({"_id": entry_id(stream, number)}, {"_id": 1}):
        number += 1
    return number


def read(collection: Collection, stream: str, numbers: Iterable[int],
         projection: dict | None = None) -> list[dict]:
    """The entries of these numbers that exist, in the order asked (a read by `_id` each)."""
    found = (collection.find_one({"_id": entry_id(stream, n)}, projection) for n in numbers)
    return [entry for entry in found if entry is not None]


def following(collection: Collection, stream: str, after: int,
              projection: dict | None = None) -> list[dict]:
    """The entries numbered after ``after`` (-1 for all), read by `_id` until the first gap."""
    entries, number = [], after + 1
    while (entry := collection.find_one({"_id": entry_id(stream, number)}, projection)):
        entries.append(entry)
        number += 1
    return entries


def _end_id(stream: str) -> str:
    return f"{stream}:end"


# Where each stream ended when this process last looked, so an append usually starts at the
# free number. The stored end (`<stream>:end`) is only a hint for a process that never looked.
_known_end: dict[tuple[str, str, str], int] = {}
REMEMBERED_STREAMS = 100_000
HINT_EVERY = 32


def _start(collection: Collection, stream: str) -> int:
    key = (collection.database.name, collection.name, stream)
    if key in _known_end:
        return _known_end[key]
    hint = collection.find_one({"_id": _end_id(stream)})
    return hint["next"] if hint else 0


def _ended(collection: Collection, stream: str, end: int) -> None:
    if len(_known_end) > REMEMBERED_STREAMS:
        _known_end.clear()
    key = (collection.database.name, collection.name, stream)
    _known_end[key] = max(end, _known_end.get(key, 0))


def _held(collection: Collection, stream: str, number: int) -> bool:
    return collection.find_one({"_id": entry_id(stream, number)}, {"_id": 1}) is not None


def end_from(collection: Collection, stream: str, number: int) -> int:
    """Where ``stream`` ends, knowing it holds every number below ``number``: in steps that
    double, then halve, so a process that last looked thousands of entries ago reads a few
    dozen entries, not thousands (entries are written without gaps, see `append_each`)."""
    if not _held(collection, stream, number):
        return number
    held, step = number, 1
    while _held(collection, stream, held + step):
        held, step = held + step, step * 2
    free = held + step
    while free - held > 1:
        middle = (held + free) // 2
        held, free = (middle, free) if _held(collection, stream, middle) else (held, middle)
    return free


def length(collection: Collection, stream: str) -> int:
    """How many entries ``stream`` holds: searched forward from the last known end."""
    number = end_from(collection, stream, _start(collection, stream))
    _ended(collection, stream, number)
    return number


def append_next(collection: Collection, stream: str, entry: dict) -> int:
    """Write ``entry`` as the next number of ``stream``; its number."""
    return append_each(collection, [(stream, entry)])[0]


def append_each(collection: Collection, items: list[tuple[str, dict]]) -> list[int]:
    """Write each (stream, entry) as the next number of its stream; their numbers.

    A process's threads share one insert (`together`: one appender per collection in a
    process, so its threads never race each other for a number); another process's writer
    may still take a number first: the unique `_id` decides, and what lost is written again
    from the stream's new end.
    """
    return together.write(("numbered_log", collection.database.name, collection.name), items,
                          lambda batch: _place(collection, batch))


def _place(collection: Collection, items: list[tuple[str, dict]]) -> list[int]:
    """Number and insert ``items`` (one insert while nobody else writes the streams)."""
    numbers: list[int] = [0] * len(items)
    waiting: dict[str, list[int]] = {}
    for index, (stream, _) in enumerate(items):
        waiting.setdefault(stream, []).append(index)
    first = {stream: _start(collection, stream) for stream in waiting}
    starts = dict(first)
    while waiting:
        placed = [(stream, starts[stream] + offset, index)
                  for stream, indexes in waiting.items() for offset, index in enumerate(indexes)]
        taken = claims.insert_each(collection, [
            {**items[index][1], "_id": entry_id(stream, number)}
            for stream, number, index in placed])
        lost: dict[str, list[int]] = {}
        for position, (stream, number, index) in enumerate(placed):
            if position in taken:
                lost.setdefault(stream, []).append(index)
            else:
                numbers[index] = number
        for stream, indexes in waiting.items():
            tried = starts[stream] + len(indexes)  # each number below is held now
            _ended(collection, stream, tried)
            starts[stream] = end_from(collection, stream, tried) if stream in lost else tried
        waiting = lost
    for stream, start in first.items():
        end = starts[stream]
        if end // HINT_EVERY != start // HINT_EVERY:
            # Not atomic on every database, and it need not be: a lower end costs a few reads.
            # Only writers write it, so that reading a list never waits on a write.
            by_id.write(collection, _end_id(stream), {"$max": {"next": end}})
    return numbers


GROUP = 20


def group_id(stream: str, group: int) -> str:
    """The sealed copy of entries ``group * GROUP`` to ``group * GROUP + GROUP - 1``."""
    return f"{stream}:group{group:06d}"


def sealed(collection: Collection, stream: str, group: int) -> list[dict] | None:
    """A group's entries from its sealed copy (one read by `_id`), or None if not sealed yet."""
    found = collection.find_one({"_id": group_id(stream, group)})
    return found["entries"] if found else None


def seal(collection: Collection, stream: str, group: int, entries: list[dict]) -> None:
    """Copy a group's ``GROUP`` entries into one document, so a page costs one read, not 20.

    Entries never change once written, so every sealer writes the same copy: the unique
    insert lets one win and the others' copies are dropped (no update, no race)."""
    assert len(entries) == GROUP
    claims.claim(collection, group_id(stream, group), entries=entries)


def page(collection: Collection, stream: str, first: int, count: int,
         projection: dict | None = None) -> list[dict]:
    """The entries numbered ``first`` to ``first + count - 1`` that exist (a read by `_id`
    each)."""
    entries = []
    for number in range(first, first + count):
        entry = collection.find_one({"_id": entry_id(stream, number)}, projection)
        if entry is None:
            break
        entries.append(entry)
    return entries
