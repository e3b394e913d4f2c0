"""What sessions' stores share: new ids, a read by `_id` that refuses what is missing, a page,
and a change of a session guarded by its revision."""

import uuid
from datetime import UTC, datetime, timedelta

from pymongo import ASCENDING
from pymongo.errors import PyMongoError

from common.persistence import by_id, claims
from services.sessions.domain.errors import (
    IllegalTransitionError,
    InvalidDetailsError,
    NotFoundError,
)

HIDDEN = {"outbox": 0, "outbox_pending": 0}
SESSIONS = "sessions"  # named here because the series and session stores both read it
CHANGES = "session_changes"  # one claim per (session, revision) changed
STALE_CHANGE = timedelta(seconds=30)  # a claim whose writer stopped before its write
ROUNDS = 5


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


def change_session(runtime, session: dict, update: dict, events: list) -> dict:
    """Apply ``update`` and its events to ``session`` if it is still at the revision read.

    The write is filtered by `_id` alone: any other field in the filter makes FerretDB read
    every session (seconds among 20,000, past the driver's timeout under load). The guard is a
    claim of (session, revision) by unique insert instead, so of two changes made from the same
    reading exactly one wins, on both databases; the other is told to read it again. A claim
    whose writer stopped before writing is taken over after STALE_CHANGE, by one taker only
    (each takeover is a claim of its own round)."""
    revision = session.get("revision", 0)
    changes = runtime.db[CHANGES]
    for round_ in range(ROUNDS):
        key = f"{session['_id']}:{revision}" + (f":{round_}" if round_ else "")
        if claims.claim(changes, key, at=datetime.now(UTC)):
            break
        held = claims.holder(changes, key)
        if held is not None and held["at"] > datetime.now(UTC) - STALE_CHANGE:
            raise IllegalTransitionError("the session changed meanwhile; read it again and retry")
    else:
        raise IllegalTransitionError("the session changed meanwhile; read it again and retry")
    update = {**update, "$set": {**update.get("$set", {}), "revision": revision + 1}}
    try:
        stored = runtime.update(SESSIONS, {"_id": session["_id"]}, update, events)
    except PyMongoError:
        try:  # not written: the next change need not wait for the claim to go stale
            now = by_id.get(runtime.db[SESSIONS], session["_id"], {"revision": 1})
            if now is not None and now.get("revision", 0) == revision:
                changes.delete_one({"_id": key})
        except PyMongoError:
            pass
        raise
    if stored is None:
        raise NotFoundError(f"no session with id {session['_id']}")
    return stored
