"""Read and write one document by `_id`, the condition checked in Python.

The filter of every read and write here is `{_id: ...}` alone, which both databases answer from
the primary key. A condition on other fields is checked in Python between the read and the
write; that is not atomic, so use it where one writer owns the document (the worker consuming
one partition) or where the condition only avoids useless work. For exclusivity, use `claims`.
"""

from collections.abc import Callable, Iterable

from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError


def get(collection: Collection, doc_id, projection: dict | None = None) -> dict | None:
    return collection.find_one({"_id": doc_id}, projection)


def get_each(collection: Collection, ids: Iterable, projection: dict | None = None) -> list[dict]:
    """The documents of ``ids`` that exist, in the order asked (one read each: `$in` on `_id`
    is a scan of the whole collection on FerretDB)."""
    found = (collection.find_one({"_id": doc_id}, projection) for doc_id in ids)
    return [document for document in found if document is not None]


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
