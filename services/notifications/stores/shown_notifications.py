"""The notifications a feed page shows, read through this process's memory.

A page shows 20 notifications; read by `_id` one at a time (`$in` reads the whole collection on
FerretDB) they were 20 of a page's 23 reads. Most of them rarely or never change:

- done with: sent, cancelled, or skipped for good. Nothing changes them again (a failed one
  goes back in the queue when resent; nothing scrubs a notification: an erasure scrubs the
  recipient). Kept as read.
- waiting for their time: a reminder scheduled (or skipped because its time had passed, which
  a move of its session brings back). Only a move or a cancellation changes one before its
  time, and the claim when its time comes; each of those writes a new random token to one
  document after its change (`changed`). A page reads that document, and shows a waiting one
  from memory only while the token is the one it was read under. A token is never written
  twice, so even FerretDB's unisolated read-modify-write cannot bring an old one back.

Pending, sending and failed ones are read each time. A backstop bounds what a write racing
another could leave stale (a cancellation checked in Python landing on a notice just sent, a
token not written because the database failed between the two writes): nothing is shown from
memory after KEPT_SECONDS.
"""

import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable

from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import PyMongoError

from common.persistence import by_id
from services.notifications.domain import reminder_rules

log = logging.getLogger(__name__)

TOKENS = "feed_heads"
CHANGED = "waiting:changed"
KEPT_SECONDS = 60.0
REMEMBERED = 2_000  # whole notifications (100 pages of 20)
REMEMBERED_STATUSES = 4_000  # statuses alone, for the summary (of at most 2,000)
DONE = ("sent", "skipped", "cancelled")


def changed(database: Database) -> None:
    """Say that notifications waiting for their time changed (moved, cancelled, claimed):
    every process forgets those it keeps. Call it after the change is written.

    Never raises: the change is written, and a token not written (the database failed in
    between) only leaves a page showing the notification as it was, for KEPT_SECONDS at most;
    the claim and the cancellation that call it go on as before."""
    try:
        by_id.set_fields(database[TOKENS], CHANGED, {"token": uuid.uuid4().hex}, upsert=True)
    except PyMongoError as exc:
        log.warning("the feed's token of waiting notifications was not written",
                    extra={"error": type(exc).__name__})


def _waiting(notification: dict) -> bool:
    return notification.get("status") == "scheduled" or reminder_rules.waiting(notification)


def _done(notification: dict) -> bool:
    return notification.get("status") in DONE and not _waiting(notification)


class _Kept:
    """(database, id) -> (when read, the document, the token it was read under or None)."""

    def __init__(self, size: int):
        self.size = size
        self.lock = threading.Lock()
        self.kept: OrderedDict[tuple[str, str], tuple[float, dict, str | None]] = OrderedDict()

    def found(self, database: str, ids: list[str], now: float) -> dict[str, tuple]:
        with self.lock:
            found = {}
            for doc_id in ids:
                kept = self.kept.get((database, doc_id))
                if kept is not None and now - kept[0] < KEPT_SECONDS:
                    found[doc_id] = kept[1:]
            return found

    def keep(self, database: str, documents: list[dict], now: float, token: str | None) -> None:
        with self.lock:
            for document in documents:
                if _done(document):
                    self.kept[(database, document["_id"])] = (now, document, None)
                elif token is not None and _waiting(document):
                    self.kept[(database, document["_id"])] = (now, document, token)
                else:
                    continue
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
    must leave every shown field in): from memory those that have not changed since."""
    return _through(_whole, collection, list(ids), projection)


def statuses(collection: Collection, ids: Iterable[str]) -> list[dict]:
    """``{_id, status, template}`` of the notifications of ``ids`` that exist, in order."""
    return _through(_statuses, collection, list(ids), {"status": 1, "template": 1})


def _through(kept: _Kept, collection: Collection, ids: list[str],
             projection: dict | None) -> list[dict]:
    database, now = collection.database.name, time.monotonic()
    remembered = kept.found(database, ids, now)
    found = {i: document for i, (document, token) in remembered.items() if token is None}
    token = None
    if any(i not in found for i in ids):  # read before the notifications it keeps them under
        token = (by_id.get(collection.database[TOKENS], CHANGED) or {}).get("token", "")
        found |= {i: document for i, (document, kept_under) in remembered.items()
                  if kept_under is not None and kept_under == token}
    read = by_id.get_each(collection, [i for i in dict.fromkeys(ids) if i not in found],
                          projection)
    kept.keep(database, read, now, token)
    found |= {document["_id"]: document for document in read}
    return [dict(found[i]) for i in ids if i in found]


def forget() -> None:
    """Forget every notification kept (a process that has read nothing yet)."""
    _whole.clear()
    _statuses.clear()
