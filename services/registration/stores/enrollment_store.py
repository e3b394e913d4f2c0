"""The enrollments collection: a read model of the seat logs, for lists and look-ups by id.

The seat log is the truth; each change is copied here right after its entry is written, and
the worker's sweep (`enrollment_sweep`) verifies the copies of what changed, which repairs what
a crash between the two writes (or two racing copies) left stale.
A new copy is also numbered in `enrollment_pages` (stream "all", and one per participant), so
that lists are read by `_id`: a session's enrollments come from its seat log, an officer's
and the unfiltered pages from those numbers.
"""

from datetime import UTC, datetime

from pymongo import ASCENDING

from common.persistence import by_id, claims, numbered_log
from common.runtime import Runtime
from services.registration.domain.seat_rules import SHOWN, SeatState, enrollment, enrollments
from services.registration.stores import enrollment_pages, listed_pages, seat_log_store
from services.registration.stores.session_projection_store import session_ids_of_series

COLLECTION = "enrollments"
PAGES = enrollment_pages.PAGES


def sync(runtime: Runtime, state: SeatState, participant_ids=None) -> None:
    """Copy the enrollments of ``state`` (all, or the given participants') into the read model.

    New ones in one insert (numbered on the pages in one more); those already copied are
    brought up to this revision one by one. A racing copy that lands an older revision is
    repaired by the sweep (`enrollment_sweep`).
    """
    collection = runtime.db[COLLECTION]
    pids = list(dict.fromkeys(state.entries if participant_ids is None else participant_ids))
    copies = [enrollment(state, pid) for pid in pids]
    taken = claims.insert_each(collection, copies)
    enrollment_pages.number(runtime, [c for n, c in enumerate(copies) if n not in taken])
    for n in sorted(taken):
        copy = dict(copies[n])
        enrollment_id = copy.pop("_id")
        by_id.update_if(collection, enrollment_id,
                        lambda stored, copy=copy: _behind(stored, copy),
                        {"$set": copy})


def _behind(stored: dict, copy: dict) -> bool:
    """Whether the stored copy is older than ``copy`` and shows her otherwise.

    One that shows her as ``copy`` does is left as it is, whatever revision it was copied at
    (the sweep found nearly every copy so and rewrote each one): her own changes only go
    forward, so a copy showing her as she is now was written at or after her last change,
    and a racing copy from before it is still refused by that revision. A waiting place
    moves with others' changes, so a waitlisted copy is brought to the revision as before."""
    if stored.get("revision", -1) >= copy["revision"]:
        return False
    if copy.get("status") == "waitlisted":
        return True
    return any(_as_kept(stored.get(k)) != _as_kept(v) for k, v in copy.items() if k != "revision")


def _as_kept(value):
    """A value as the database keeps it: datetimes to the millisecond, in UTC."""
    if isinstance(value, datetime):
        value = value if value.tzinfo else value.replace(tzinfo=UTC)
        return value.replace(microsecond=value.microsecond // 1000 * 1000)
    return value


def get(runtime: Runtime, enrollment_id: str) -> dict | None:
    return by_id.get(runtime.db[COLLECTION], enrollment_id)


def current(runtime: Runtime, enrollment_id: str) -> dict | None:
    """One enrollment as its session's log has it now (the copy may lag a moment)."""
    copy = get(runtime, enrollment_id)
    if copy is None:
        return None
    state = seat_log_store.state(runtime, copy["session_id"])
    entry = state.entries.get(copy["participant_id"]) if state else None
    if entry is None or entry["enrollment_id"] != enrollment_id:
        return copy  # superseded by a later enrollment of hers: the copy is final
    return enrollment(state, copy["participant_id"])


def _matching(found: list[dict], filters: dict) -> list[dict]:
    return [e for e in found if all(e.get(k) == v for k, v in filters.items())]


def listing(runtime: Runtime, filters: dict, skip: int, limit: int) -> tuple[list[dict], int]:
    """One page of enrollments in order of request, and how many match ``filters``."""
    filters = {k: v for k, v in filters.items() if v is not None}
    if "session_id" in filters:
        state = seat_log_store.state(runtime, filters["session_id"])
        found = _matching(enrollments(state) if state else [], filters)
    elif "participant_id" in filters:
        found = _matching(of_participant(runtime, filters["participant_id"]), filters)
    elif "series_id" in filters:  # from the seat logs of the series' sessions
        found = []
        for session_id in session_ids_of_series(runtime, filters["series_id"]):
            state = seat_log_store.state(runtime, session_id)
            found += _matching(enrollments(state) if state else [], filters)
        found.sort(key=lambda e: (e["requested_at"], e["_id"]))
    elif not filters:
        pages = runtime.db[PAGES]
        numbered = listed_pages.page(pages, "all", skip, limit)
        return _shown(runtime, numbered), numbered_log.length(pages, "all")
    else:  # by status or agency alone: a query over the whole read model
        collection = runtime.db[COLLECTION]
        found = collection.find(filters).sort([("requested_at", ASCENDING), ("_id", ASCENDING)])
        return list(found.skip(skip).limit(limit)), collection.count_documents(filters)
    return found[skip:skip + limit], len(found)


def _shown(runtime: Runtime, numbered: list[dict]) -> list[dict]:
    """The enrollments these page entries number, as their sessions' seat logs hold them now:
    a read per session on the page (the log's next number), not one per enrollment. Entries
    numbered before they named their session are read from the copies."""
    states: dict[str, SeatState | None] = {}
    shown = []
    for numbered_entry in numbered:
        enrollment_id, session_id = numbered_entry["enrollment_id"], numbered_entry.get(
            "session_id")
        found = None
        if session_id is not None:
            if session_id not in states:
                states[session_id] = seat_log_store.state(runtime, session_id)
            found = _in_log(states[session_id], enrollment_id, numbered_entry["participant_id"])
        if found is None:
            found = get(runtime, enrollment_id)
        if found is not None:
            shown.append(found)
    return shown


def _in_log(state: SeatState | None, enrollment_id: str, participant_id: str) -> dict | None:
    """One enrollment as the session's seats have it: hers now, or one of hers superseded."""
    if state is None or enrollment_id not in state.history:
        return None
    if state.entries[participant_id]["enrollment_id"] == enrollment_id:
        return enrollment(state, participant_id)
    change, revision = state.history[enrollment_id]
    return {"_id": enrollment_id, "session_id": state.session_id, "series_id": state.series_id,
            "position": None, "revision": revision, **{k: change.get(k) for k in SHOWN}}


def of_participant(runtime: Runtime, participant_id: str) -> list[dict]:
    """Her enrollments, in order of request."""
    numbered = numbered_log.following(runtime.db[PAGES], f"participant:{participant_id}", -1)
    found = by_id.get_each(runtime.db[COLLECTION], [e["enrollment_id"] for e in numbered])
    return sorted(found, key=lambda e: (e["requested_at"], e["_id"]))


def ensure_indexes(runtime: Runtime) -> None:
    collection = runtime.db[COLLECTION]
    for key in ("series_id", "status", "agency"):
        collection.create_index(key)
    if claims.claim(runtime.db[PAGES], "numbered-before-pages", at=datetime.now(UTC)):
        # Enrollments copied before the pages existed, numbered once (by one process) in order.
        for old in collection.find({}, {"participant_id": 1, "session_id": 1}).sort(
                [("requested_at", ASCENDING), ("_id", ASCENDING)]):
            enrollment_pages.number(runtime, [{"_id": old["_id"], "session_id": old["session_id"],
                               "participant_id": old["participant_id"]}])
