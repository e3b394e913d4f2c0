"""Pages of a numbered list (`common.persistence.numbered_log`) read through this process's
memory, a group of entries at a time: entries never change once written, so each group is read
from the database once (one read once it is sealed, one per entry while it is still open)."""

import threading
from collections import OrderedDict

from pymongo.collection import Collection

from common.persistence import numbered_log

GROUP = numbered_log.GROUP
REMEMBERED_GROUPS = 1_000  # of 20 entries each
_kept: OrderedDict[tuple[str, str, str, int], list[dict]] = OrderedDict()
_lock = threading.Lock()


def page(collection: Collection, stream: str, first: int, count: int) -> list[dict]:
    """The entries numbered ``first`` to ``first + count - 1`` that exist."""
    entries: list[dict] = []
    for group in range(first // GROUP, (first + count - 1) // GROUP + 1 if count else 0):
        held = _group(collection, stream, group)
        low = max(first, group * GROUP) - group * GROUP
        entries += held[low:first + count - group * GROUP]
        if len(held) < GROUP:
            break  # the end of the list (none is written after a gap)
    return entries


def _group(collection: Collection, stream: str, group: int) -> list[dict]:
    """A group's entries: from memory, its sealed copy, or entry by entry while open (then
    sealed by whichever reader finds it full)."""
    key = (collection.database.name, collection.name, stream, group)
    with _lock:
        held = _kept.get(key)
    if held is not None and len(held) == GROUP:
        return held
    held = list(held or [])
    if not held:
        held = numbered_log.sealed(collection, stream, group) or []
        if len(held) == GROUP:
            _remember(key, held)
            return held
    for number in range(group * GROUP + len(held), (group + 1) * GROUP):
        entry = collection.find_one({"_id": numbered_log.entry_id(stream, number)})
        if entry is None:
            break
        held.append(entry)
    if len(held) == GROUP:
        numbered_log.seal(collection, stream, group, held)
    if held:
        _remember(key, held)
    return held


def _remember(key: tuple[str, str, str, int], entries: list[dict]) -> None:
    with _lock:
        _kept[key] = entries
        _kept.move_to_end(key)
        while len(_kept) > REMEMBERED_GROUPS:
            _kept.popitem(last=False)
