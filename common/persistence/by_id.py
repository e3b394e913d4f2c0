"""Read and write one document by `_id`, the condition checked in Python.

The filter of every read and write here is `{_id: ...}` alone, which both databases answer from
the primary key. A condition on other fields is checked in Python between the read and the
write; that is not atomic, so use it where one writer owns the document (the worker consuming
one partition) or where the condition only avoids useless work. For exclusivity, use `claims`.
"""

import contextvars
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

from pymongo import UpdateOne
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

# Updates sent in one command, at most. FerretDB 1.24 keeps, for each update of a command that
# matched a document, one of the database's 100 SQLite connections until the whole command
# ends: an update command of 100 such updates never returns, and that database answers no one
# again until FerretDB is restarted (`bench/wedge_probe.py`: 99 answer in 0.06 s, 100 never).
# The pool is the database's, shared by every client: commands running at once add up, so 10
# leaves room for ten such commands (the consumer, the sending threads, a second worker, the
# APIs) before any of them can wait on another.
UPDATES_PER_COMMAND = 10


def get(collection: Collection, doc_id, projection: dict | None = None) -> dict | None:
    return collection.find_one({"_id": doc_id}, projection)


def get_each(collection: Collection, ids: Iterable, projection: dict | None = None) -> list[dict]:
    """The documents of ``ids`` that exist, in the order asked (one read each: `$in` on `_id`
    is a scan of the whole collection on FerretDB)."""
    found = (collection.find_one({"_id": doc_id}, projection) for doc_id in ids)
    return [document for document in found if document is not None]


READERS = 8  # reads by `_id` made at the same time for a batch (`$in` would be a scan)
_readers: ThreadPoolExecutor | None = None
_readers_lock = threading.Lock()


def side_by_side(read: Callable, ids: list) -> dict:
    """``read(id)`` of each id (a read by `_id`), `READERS` at the same time: a batch waits
    about as long as for one read, not one round trip per id. Each read runs in a copy of the
    caller's context (`contextvars`: `pacing.BACKGROUND` says whose work it is)."""
    global _readers
    if len(ids) <= 1:
        return {i: read(i) for i in ids}
    with _readers_lock:
        if _readers is None:
            _readers = ThreadPoolExecutor(READERS, thread_name_prefix="reads-by-id")
    contexts = [contextvars.copy_context() for _ in ids]  # one each: a context runs in one thread
    return dict(zip(ids, _readers.map(lambda context, i: context.run(read, i), contexts, ids),
                    strict=True))


def update_if(collection: Collection, doc_id, condition: Callable[[dict], bool], update: dict,
              projection: dict | None = None) -> dict | None:
    """Apply ``update`` when the document exists and ``condition(document)`` holds; the
    document as read (before the update), or None when nothing was written."""
    document = collection.find_one({"_id": doc_id}, projection)
    if document is None or not condition(document):
        return None
    collection.update_one({"_id": doc_id}, update)
    return document


def set_fields(collection: Collection, doc_id, fields: dict, upsert: bool = False) -> None:
    if upsert:
        write(collection, doc_id, {"$set": fields})
    else:
        collection.update_one({"_id": doc_id}, {"$set": fields})


def write(collection: Collection, doc_id, update: dict) -> None:
    """Apply ``update`` to the document, creating it if it does not exist yet. Two writers
    creating it at the same moment both succeed: the one whose insert lost (FerretDB answers
    it E11000; MongoDB retries it itself) applies its update to the winner's document."""
    try:
        collection.update_one({"_id": doc_id}, update, upsert=True)
    except DuplicateKeyError:
        collection.update_one({"_id": doc_id}, update, upsert=True)


def bulk(collection: Collection, requests: list, ordered: bool = True) -> None:
    """``collection.bulk_write(requests)`` in commands of at most `UPDATES_PER_COMMAND`
    requests (the same writes, a few more round trips; no command FerretDB never answers)."""
    for start in range(0, len(requests), UPDATES_PER_COMMAND):
        collection.bulk_write(requests[start:start + UPDATES_PER_COMMAND], ordered=ordered)


def write_each(collection: Collection, updates: dict, upsert: bool = False) -> None:
    """Apply ``updates`` ({_id: update}) in order, in commands of at most
    `UPDATES_PER_COMMAND` updates: a batch of any size costs a few round trips, and no command
    grows with it (see `UPDATES_PER_COMMAND` for what a big one does to FerretDB)."""
    bulk(collection, [UpdateOne({"_id": doc_id}, update, upsert=upsert)
                      for doc_id, update in updates.items()])
