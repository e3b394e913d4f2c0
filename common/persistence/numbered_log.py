"""An append-only log per stream, its entries numbered 0, 1, 2... and keyed by `_id`.

An entry's `_id` is `"<stream>:<number>"`, so appending number n is a unique insert (two
writers racing for the same number: one wins, the other reads what won and decides again), and
catching up after a known number is a read by `_id` per entry instead of a query over the log.
"""

import threading
from collections.abc import Iterable

from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from common.persistence import claims


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
# One appender per stream in a process: its threads would otherwise all try the same number.
_appending: dict[tuple[str, str, str], threading.Lock] = {}
_appending_lock = threading.Lock()


def _appender(collection: Collection, stream: str) -> threading.Lock:
    with _appending_lock:
        if len(_appending) > REMEMBERED_STREAMS:
            _appending.clear()  # a lock dropped here only lets two threads race, as processes do
        return _appending.setdefault((collection.database.name, collection.name, stream),
                                     threading.Lock())


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


def length(collection: Collection, stream: str) -> int:
    """How many entries ``stream`` holds: from the last known end, read forward by `_id`."""
    number = first_gap(collection, stream, _start(collection, stream))
    _ended(collection, stream, number)
    return number


def append_next(collection: Collection, stream: str, entry: dict) -> int:
    """Write ``entry`` as the next number of ``stream``; its number (the unique insert decides
    each number: a taken one sends the writer on to the next)."""
    with _appender(collection, stream):
        start = _start(collection, stream)
        number = append_from(collection, stream, start, entry)
        _ended(collection, stream, number + 1)
    if number - start > 2 or (number + 1) // HINT_EVERY != start // HINT_EVERY:
        # Not atomic on every database, and it need not be: a lower end costs a few reads.
        # Only writers write it, so that reading a list never waits on a write.
        collection.update_one({"_id": _end_id(stream)}, {"$max": {"next": number + 1}},
                              upsert=True)
    return number


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
