"""What sessions' stores share: new ids, a read by `_id` that refuses what is missing, a page."""

import uuid

from pymongo import ASCENDING

from common.persistence import by_id
from services.sessions.domain.errors import InvalidDetailsError, NotFoundError

HIDDEN = {"outbox": 0, "outbox_pending": 0}
SESSIONS = "sessions"  # named here because the series and session stores both read it


def new_id() -> str:
    return str(uuid.uuid4())


def page(collection, query: dict, sort_key: str, skip: int, limit: int) -> tuple[list, int]:
    """One page of ``query``'s matches, sorted by ``sort_key``, and the total count."""
    found = collection.find(query, HIDDEN).sort([(sort_key, ASCENDING), ("_id", ASCENDING)])
    return list(found.skip(skip).limit(limit)), collection.count_documents(query)


def must_get(collection, doc_id: str, what: str) -> dict:
    found = by_id.get(collection, doc_id, HIDDEN)
    if found is None:
        raise NotFoundError(f"no {what} with id {doc_id}")
    return found


def referenced(collection, doc_id: str, what: str, field: str) -> dict:
    """A document a request body points at; a dangling reference is a 422 naming ``field``."""
    try:
        return must_get(collection, doc_id, what)
    except NotFoundError as exc:
        raise InvalidDetailsError({field: [str(exc)]}) from None
