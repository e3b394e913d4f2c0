"""Once per database: put sessions and enrollments stored before the calendar and the roster
documents existed (or before the calendar's present shape) on them. The worker runs it at start;
each step is marked done once it finished (two workers running it at once do the same
idempotent writes)."""

import logging
from datetime import UTC, datetime

from pymongo.errors import PyMongoError

from common.persistence import claims
from common.runtime import Runtime
from services.sessions.stores import documents, roster_store, session_calendar_store

log = logging.getLogger(__name__)
DONE = "backfills"
ROSTERS = "calendar-and-rosters"  # the name the first backfill, rosters included, was done as
LISTING = "session-listing-blocks"  # the calendar's present shape: heads of blocks of chunks
# The calendar's earlier shapes: its first, then chunks under a head listing every chunk.
EARLIER_CALENDAR = ("session_calendar", "session_calendar_turns", "session_listing")
BATCH = 500


def run(runtime: Runtime) -> None:
    try:
        placed = _once(runtime, LISTING, _listing)
        enrolled = _once(runtime, ROSTERS, _rosters)
    except PyMongoError as exc:  # the database is not up yet: the next start tries again
        log.warning("calendar and rosters not backfilled", extra={"error": type(exc).__name__})
        return
    if placed is not None or enrolled is not None:
        log.info("calendar and rosters backfilled",
                 extra={"sessions": placed or 0, "enrollments": enrolled or 0})


def _once(runtime: Runtime, step: str, do) -> int | None:
    if claims.holder(runtime.db[DONE], step) is not None:
        return None
    done = do(runtime)
    claims.claim(runtime.db[DONE], step, at=datetime.now(UTC))
    return done


def _listing(runtime: Runtime) -> int:
    """One pass over the sessions, once: later writes keep the calendar up to date."""
    sessions = list(runtime.db[documents.SESSIONS].find({}, documents.HIDDEN))
    for first in range(0, len(sessions), BATCH):
        session_calendar_store.place_many(
            runtime, [(None, session) for session in sessions[first:first + BATCH]])
    for earlier in EARLIER_CALENDAR:
        runtime.db.drop_collection(earlier)
    return len(sessions)


def _rosters(runtime: Runtime) -> int:
    enrollments = list(runtime.db[roster_store.COLLECTION].find({}, documents.HIDDEN))
    for enrollment in enrollments:
        roster_store.list_on_roster(runtime, enrollment)
    return len(enrollments)
