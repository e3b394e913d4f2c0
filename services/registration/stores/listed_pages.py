"""Pages of a numbered list (`common.persistence.numbered_log`) read through this process's
memory: an entry never changes once written, so each is read from the database once."""

import threading
from collections import OrderedDict

from pymongo.collection import Collection

from common.persistence import numbered_log

REMEMBERED_ENTRIES = 20_000
_kept: OrderedDict[tuple[str, str, str], dict] = OrderedDict()
_lock = threading.Lock()


def page(collection: Collection, stream: str, first: int, count: int) -> list[dict]:
    """The entries numbered ``first`` to ``first + count - 1`` that exist, read by `_id` only
    when this process has not read them before."""
    entries = []
    for number in range(first, first + count):
        key = (collection.database.name, collection.name, numbered_log.entry_id(stream, number))
        with _lock:
            entry = _kept.get(key)
        if entry is None:
            entry = collection.find_one({"_id": key[2]})
            if entry is None:
                break  # the end of the list (none is written after a gap)
            _remember(key, entry)
        entries.append(entry)
    return entries


def _remember(key: tuple[str, str, str], entry: dict) -> None:
    with _lock:
        _kept[key] = entry
        _kept.move_to_end(key)
        while len(_kept) > REMEMBERED_ENTRIES:
            _kept.popitem(last=False)
