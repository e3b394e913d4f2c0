"""Public verification of a certificate by its code: valid, revoked or unknown; no sign-in.

What it shows: the course, its dates, the programme and the holder's initials (none once she
was erased). Rate-limited per client address with a fixed-window counter document per address
and minute (`_id` = address and window), so every gunicorn worker shares the count.
"""

import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from common.config import certificate_verify_limit
from common.runtime import Runtime
from services.sessions import certificates, programmes, sessions, store
from services.sessions.domain.errors import NotFoundError
from services.sessions.domain.lifecycle import CANCELLED

LIMITS = "verification_limits"


def limit() -> tuple[int, int]:
    """(requests, window seconds) from `CERTIFICATE_VERIFY_LIMIT`, e.g. `30/60`."""
    return certificate_verify_limit()


def admit(runtime: Runtime, client: str, now: float | None = None) -> int | None:
    """None if ``client`` may ask now, else the seconds until its window ends."""
    # One counter document per address and window, found by `_id` alone (cheap on FerretDB).
    # `$inc` there is read-modify-write, so simultaneous requests may be undercounted a little:
    # a limit against guessing codes, not an exact quota.
    allowed, window = limit()
    now = time.time() if now is None else now
    start = int(now // window) * window
    key = {"_id": f"{client}|{start}"}
    update = {"$inc": {"count": 1}, "$setOnInsert": {"window_start": datetime.fromtimestamp(
        start, UTC)}}
    try:
        counter = runtime.db[LIMITS].find_one_and_update(key, update, upsert=True,
                                                         return_document=ReturnDocument.AFTER)
    except DuplicateKeyError:  # two first requests of a window raced to create it
        counter = runtime.db[LIMITS].find_one_and_update(key, update,
                                                         return_document=ReturnDocument.AFTER)
    if counter["count"] <= allowed:
        return None
    return max(1, int(start + window - now))


def answer(runtime: Runtime, code: str) -> dict:
    """What anyone holding the code may learn."""
    try:
        found = certificates.by_code(runtime, code)
    except NotFoundError:
        return {"code": code[:20], "status": "unknown"}
    course = found["course"]
    members = [s for s in (sessions.get(runtime, sid) for sid in _course_sessions(runtime, course))
               if s["status"] != CANCELLED]
    programme = None
    if course.get("programme_id"):
        try:
            programme = programmes.get(runtime, course["programme_id"])["name"]
        except NotFoundError:
            programme = None
    return {"code": found["code"], "status": "valid" if found["status"] == "issued"
            else "revoked", "title": course["title"],
            "kind": "series" if course.get("series_id") else "session",
            "starts_on": _day(min(((s["starts_at"], s["timezone"]) for s in members),
                                  default=None)),
            "ends_on": _day(max(((s["ends_at"], s["timezone"]) for s in members), default=None)),
            "programme": programme, "holder_initials": certificates.initials_of(runtime, found),
            "issued_on": _day((found.get("issued_at"), "UTC")),
            "revoked_on": _day((found.get("revoked_at"), "UTC"))
            if found["status"] == "revoked" else None}


def _course_sessions(runtime: Runtime, course: dict) -> list[str]:
    if course.get("series_id"):
        return [s["_id"] for s in runtime.db[store.SESSIONS].find(
            {"series_id": course["series_id"]}, {"_id": 1})]
    return [course["session_id"]]


def _day(moment_zone: tuple | None) -> str | None:
    """The local date of a moment in its session's timezone."""
    if moment_zone is None or moment_zone[0] is None:
        return None
    moment, zone = moment_zone
    return moment.astimezone(ZoneInfo(zone)).date().isoformat()
