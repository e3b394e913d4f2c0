"""The notifications a feed page shows, read through this process's memory once they are final.

A page shows 20 notifications; read by `_id` one at a time (`$in` reads the whole collection on
FerretDB) they were 20 of a page's 23 reads. A notification that is sent, skipped or cancelled
never changes again (only a failed one goes back in the queue, when resent; nothing scrubs a
notification: an erasure scrubs the recipient), so a process keeps those it read and shows them
again without reading them; one still waiting or being sent is read each time. A backstop
bounds what a write racing the last one could leave stale (a cancellation checked in Python
landing on a notice just sent): nothing is shown from memory after KEPT_SECONDS.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Iterable

from pymongo.collection import Collection

from common.persistence import by_id

FINAL = ("sent", "skipped", "cancelled")
KEPT_SECONDS = 60.0
REMEMBERED = 2_000  # whole notifications (100 pages of 20)
REMEMBERED_STATUSES = 20_000  # statuses alone, for the summary


class _Kept:
    def __init__(self, size: int):
        self.size = size
        self.lock = threading.Lock()
        self.kept: OrderedDict[tuple[str, str], tuple[float, dict]] = OrderedDict()

    def found(self, database: str, ids: list[str], now: float) -> dict[str, dict]:
        with self.lock:
            found = {}
            for doc_id in ids:
                kept = self.kept.get((database, doc_id))
                if kept is not None and now - kept[0] < KEPT_SECONDS:
                    found[doc_id] = kept[1]
            return found

    def keep(self, database: str, documents: list[dict], now: float) -> None:
        with self.lock:
            for document in documents:
                if document.get("status") in FINAL:
                    self.kept[(database, document["_id"])] = (now, document)
                    self.kept.move_to_end((database, document["_id"]))
            while len(self.kept) > self.size:
                self.kept.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.kept.clear()


_whole = _Kept(REMEMBERED)
_statuses = _Kept(REMEMBERED_STATUSES)


def each(collection: Collection, ids: Iterable[str], projection: dict | None = None
         ) -> list[dict]:
    """The notifications of ``ids`` that exist, in the order asked (with ``projection``, which
    must leave every shown field in): the final ones this process read before from memory."""
    return _through(_whole, collection, list(ids), projection)


def statuses(collection: Collection, ids: Iterable[str]) -> list[dict]:
    """``{_id, status}`` of the notifications of ``ids`` that exist, in the order asked."""
    return _through(_statuses, collection, list(ids), {"status": 1})


def _through(kept: _Kept, collection: Collection, ids: list[str],
             projection: dict | None) -> list[dict]:
    database, now = collection.database.name, time.monotonic()
    remembered = kept.found(database, ids, now)
    read = by_id.get_each(collection, [i for i in dict.fromkeys(ids) if i not in remembered],
                          projection)
    kept.keep(database, read, now)
    found = {**remembered, **{document["_id"]: document for document in read}}
    return [dict(found[i]) for i in ids if i in found]


def forget() -> None:
    """Forget every notification kept (a process that has read nothing yet)."""
    _whole.clear()
    _statuses.clear()
