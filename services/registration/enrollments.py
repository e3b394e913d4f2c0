"""The enrollments collection: a read model derived from the session documents' seat entries.

The session document is the truth (its single guarded update decides a seat and carries the
event); each entry is copied here right after the write, and the worker's sweep copies whatever
a crash left behind. Copies carry the session's revision so an older one never overwrites a newer.
"""

import logging
import threading

from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError, PyMongoError

from common.runtime import Runtime
from services.registration import rules
from services.registration.session_projection import SESSIONS

log = logging.getLogger(__name__)

COLLECTION = "enrollments"
COPIED = ("participant_id", "status", "gender", "agency", "reason", "previous_status",
          "requested_at", "updated_at")


def view(session: dict, participant_id: str) -> dict:
    """One enrollment as the session document holds it now."""
    entry = session["entries"][participant_id]
    return {"_id": entry["enrollment_id"], "session_id": session["_id"],
            "series_id": session.get("series_id"),
            "position": rules.position(session.get("waiting", []), participant_id),
            **{k: entry.get(k) for k in COPIED}}


def sync(runtime: Runtime, session: dict, participant_ids=None) -> None:
    """Copy entries of ``session`` (all, or the given participants') into the read model."""
    collection = runtime.db[COLLECTION]
    revision = session["revision"]
    for pid in participant_ids if participant_ids is not None else session.get("entries", {}):
        if pid not in session.get("entries", {}):
            continue
        copy = {**view(session, pid), "revision": revision}
        enrollment_id = copy.pop("_id")
        written = collection.update_one({"_id": enrollment_id, "revision": {"$lt": revision}},
                                        {"$set": copy})
        if written.matched_count == 0:
            try:
                collection.insert_one({"_id": enrollment_id, **copy})
            except DuplicateKeyError:
                pass  # a newer copy is already there


def sweep(runtime: Runtime) -> int:
    """Copy every session whose entries changed since its last full copy; returns how many."""
    done = 0
    for session in runtime.db[SESSIONS].find({"sync_pending": True}, {"outbox": 0}):
        sync(runtime, session)
        runtime.db[SESSIONS].update_one({"_id": session["_id"], "revision": session["revision"]},
                                        {"$set": {"sync_pending": False}})
        done += 1
    return done


def sweeper(runtime: Runtime, interval_s: float = 2.0):
    """A background task for the worker: keeps the read model complete after crashes."""
    def enrollment_sweeper(stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                sweep(runtime)
            except PyMongoError as exc:
                log.warning("enrollment sweep: database unavailable", extra={"error": repr(exc)})
            stop.wait(interval_s)
    return enrollment_sweeper


def get(runtime: Runtime, enrollment_id: str) -> dict | None:
    return runtime.db[COLLECTION].find_one({"_id": enrollment_id})


def listing(runtime: Runtime, filters: dict, skip: int, limit: int) -> tuple[list[dict], int]:
    query = {k: v for k, v in filters.items() if v is not None}
    collection = runtime.db[COLLECTION]
    total = collection.count_documents(query)
    found = collection.find(query).sort([("requested_at", ASCENDING), ("_id", ASCENDING)])
    return list(found.skip(skip).limit(limit)), total


def of_participant(runtime: Runtime, participant_id: str) -> list[dict]:
    return list(runtime.db[COLLECTION].find({"participant_id": participant_id}))


def ensure_indexes(runtime: Runtime) -> None:
    collection = runtime.db[COLLECTION]
    for key in ("participant_id", "session_id", "series_id", "status", "agency"):
        collection.create_index(key)
