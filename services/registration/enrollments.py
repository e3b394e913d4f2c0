"""The enrollments collection: a read model of the seat logs, for lists and look-ups by id.

The seat log is the truth; each change is copied here right after its entry is written, and
the worker's sweep re-copies every session whose log moved, which also repairs what a crash
between the two writes (or two racing copies) left stale.
"""

import logging
import threading
from datetime import UTC, datetime, timedelta

from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError, PyMongoError

from common.runtime import Runtime
from services.registration import seat_log
from services.registration.rules import SeatState

log = logging.getLogger(__name__)

COLLECTION = "enrollments"
COPIED = ("participant_id", "status", "gender", "agency", "reason", "previous_status",
          "requested_at", "updated_at")


def view(state: SeatState, participant_id: str) -> dict:
    """One enrollment as the seat log has it now."""
    entry = state.entries[participant_id]
    return {"_id": entry["enrollment_id"], "session_id": state.session_id,
            "series_id": state.series_id, "position": state.position(participant_id),
            "revision": state.revision, **{k: entry.get(k) for k in COPIED}}


def sync(runtime: Runtime, state: SeatState, participant_ids=None) -> None:
    """Copy the enrollments of ``state`` (all, or the given participants') into the read model.

    Read and written by `_id` alone, the one filter FerretDB does not answer by decoding the
    whole collection. A racing copy that lands an older revision is repaired by the sweep.
    """
    collection = runtime.db[COLLECTION]
    for pid in dict.fromkeys(state.entries if participant_ids is None else participant_ids):
        copy = view(state, pid)
        enrollment_id = copy.pop("_id")
        try:  # a new enrollment, the request's usual case: one write
            collection.insert_one({"_id": enrollment_id, **copy})
            continue
        except DuplicateKeyError:
            pass
        stored = collection.find_one({"_id": enrollment_id}, {"revision": 1})
        if stored is None or stored.get("revision", -1) < state.revision:
            collection.update_one({"_id": enrollment_id}, {"$set": copy})


def sweep(runtime: Runtime, since: datetime | None,
          copied: dict[str, tuple[int, int]] | None = None) -> int:
    """Re-copy every session whose log changed since ``since`` (all when None).

    ``copied`` (session -> (revision, passes)) lets a sweeper skip a session it has already
    copied twice at its current revision: once to copy, once more to repair a racing copy.
    """
    if since is None:
        sessions = set(runtime.db[seat_log.LOG].distinct("session_id"))
    else:
        sessions = seat_log.sessions_changed_since(runtime, since)
    copied = {} if copied is None else copied
    for session_id in sessions:
        state = seat_log.state(runtime, session_id)
        if state is None:
            continue
        revision, passes = copied.get(session_id, (None, 0))
        if revision == state.revision and passes >= 2:
            continue
        sync(runtime, state)
        copied[session_id] = (state.revision, passes + 1 if revision == state.revision else 1)
    return len(sessions)


def sweeper(runtime: Runtime, interval_s: float = 10.0):
    """A background task for the worker: a full pass at start, then what moved recently."""
    def enrollment_sweeper(stop: threading.Event) -> None:
        since, copied = None, {}
        while not stop.is_set():
            # Overlapping windows: an entry written during a pass is seen by the next one.
            started = datetime.now(UTC) - timedelta(seconds=30)
            try:
                sweep(runtime, since, copied)
                since = started
            except PyMongoError as exc:
                log.warning("enrollment sweep: database unavailable", extra={"error": repr(exc)})
            stop.wait(interval_s)
    return enrollment_sweeper


def get(runtime: Runtime, enrollment_id: str) -> dict | None:
    return runtime.db[COLLECTION].find_one({"_id": enrollment_id})


def current(runtime: Runtime, enrollment_id: str) -> dict | None:
    """One enrollment as its session's log has it now (the copy may lag a moment)."""
    copy = get(runtime, enrollment_id)
    if copy is None:
        return None
    state = seat_log.state(runtime, copy["session_id"])
    entry = state.entries.get(copy["participant_id"]) if state else None
    if entry is None or entry["enrollment_id"] != enrollment_id:
        return copy  # superseded by a later enrollment of hers: the copy is final
    return view(state, copy["participant_id"])


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
