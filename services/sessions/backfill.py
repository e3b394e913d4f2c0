"""Once per database: put sessions and enrollments stored before the calendar and the roster
documents existed on them. The worker runs it at start; it is marked done once it finished
(two workers running it at once do the same idempotent writes)."""

import logging
from datetime import UTC, datetime

from pymongo.errors import PyMongoError

from common.persistence import claims
from common.runtime import Runtime
from services.sessions.stores import documents, roster_store, session_calendar_store

log = logging.getLogger(__name__)
DONE = "backfills"
CALENDAR_AND_ROSTERS = "calendar-and-rosters"


def run(runtime: Runtime) -> None:
    try:
        if claims.holder(runtime.db[DONE], CALENDAR_AND_ROSTERS) is not None:
            return
        # One pass over each collection, once: later writes keep both up to date themselves.
        sessions = list(runtime.db[documents.SESSIONS].find({}, documents.HIDDEN))
        for session in sessions:
            session_calendar_store.place(runtime, None, session)
        enrollments = list(runtime.db[roster_store.COLLECTION].find({}, documents.HIDDEN))
        for enrollment in enrollments:
            roster_store.list_on_roster(runtime, enrollment)
        claims.claim(runtime.db[DONE], CALENDAR_AND_ROSTERS, at=datetime.now(UTC))
    except PyMongoError as exc:  # the database is not up yet: the next start tries again
        log.warning("calendar and rosters not backfilled", extra={"error": type(exc).__name__})
        return
    log.info("calendar and rosters backfilled",
             extra={"sessions": len(sessions), "enrollments": len(enrollments)})
