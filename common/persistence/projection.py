"""A local copy of another service's facts, one document per `_id`, written only by the worker.

The worker applies one partition's events in order, so plain writes by `_id` are safe, and each
function is idempotent: the same event applied twice leaves the same document.
"""

from pymongo.collection import Collection

from common.persistence import by_id


def upsert(collection: Collection, doc_id, fields: dict) -> None:
    """Set ``fields`` on the document, creating it if it does not exist yet."""
    by_id.write(collection, doc_id, {"$set": fields})


def add_to(collection: Collection, doc_id, field: str, value, create: bool = True) -> None:
    """Add ``value`` to the set in ``field`` (no duplicate)."""
    collection.update_one({"_id": doc_id}, {"$addToSet": {field: value}}, upsert=create)


def remove_from(collection: Collection, doc_id, field: str, value) -> None:
    """Remove exactly ``value`` from the set in ``field`` (`$pullAll`: FerretDB ignores `$pull`
    conditions on sub-documents)."""
    collection.update_one({"_id": doc_id}, {"$pullAll": {field: [value]}})
