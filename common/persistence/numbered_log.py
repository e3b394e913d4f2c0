"""An append-only log per stream, its entries numbered 0, 1, 2... and keyed by `_id`.

An entry's `_id` is `"<stream>:<number>"`, so appending number n is a unique insert (two
writers racing for the same number: one wins, the other reads what won and decides again), and
catching up after a known number is a read by `_id` per entry instead of a query over the log.
"""

from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError


def entry_id(stream: str, number: int) -> str:
    return f"{stream}:{number:08d}"


def append(collection: Collection, stream: str, number: int, entry: dict) -> bool:
    """Write ``entry`` as number ``number`` of ``stream``; False if that number is taken."""
    try:
        collection.insert_one({**entry, "_id": entry_id(stream, number)})
        return True
    except DuplicateKeyError:
        return False


def following(collection: Collection, stream: str, after: int,
              projection: dict | None = None) -> list[dict]:
    """The entries numbered after ``after`` (-1 for all), read by `_id` until the first gap."""
    entries, number = [], after + 1
    while (entry := collection.find_one({"_id": entry_id(stream, number)}, projection)):
        entries.append(entry)
        number += 1
    return entries
