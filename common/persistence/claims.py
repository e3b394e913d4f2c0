"""Claim something by a unique insert: exactly one claimer wins, on MongoDB and FerretDB.

A claim is the insert of `{_id: key}`; every other claimer of the same key gets a duplicate-key
error. Keys name what is claimed and, when it can be claimed again later, the round
(`"<thing>:<round>"`), so each round has its own claim.
"""

from pymongo.collection import Collection
from pymongo.errors import BulkWriteError, DuplicateKeyError

DUPLICATE_KEY = 11000


def claim(collection: Collection, key: str, **fields) -> bool:
    """True if this caller claimed ``key`` (its document holds ``fields``); False if taken."""
    try:
        collection.insert_one({"_id": key, **fields})
        return True
    except DuplicateKeyError:
        return False


def holder(collection: Collection, key: str) -> dict | None:
    """The claim on ``key`` as it was written, or None if nobody claimed it."""
    return collection.find_one({"_id": key})


def claim_many(collection: Collection, claims: list[dict]) -> set[str]:
    """Claim several keys in one unordered insert (each ``{"_id": key, ...}``); returns the keys
    this caller won. The others were taken: their duplicate-key errors are the answer."""
    taken = insert_each(collection, claims)
    return {c["_id"] for n, c in enumerate(claims) if n not in taken}


def insert_each(collection: Collection, documents: list[dict]) -> set[int]:
    """Insert ``documents`` in one unordered insert; the positions of those whose `_id` was
    already taken (any other write error is raised)."""
    if not documents:
        return set()
    try:
        collection.insert_many(documents, ordered=False)
    except BulkWriteError as exc:
        errors = exc.details.get("writeErrors", [])
        if any(e.get("code") != DUPLICATE_KEY for e in errors):
            raise
        return {e["index"] for e in errors}
    return set()
