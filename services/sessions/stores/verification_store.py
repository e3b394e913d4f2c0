"""Public verification of a certificate by its code: valid, revoked or unknown; no sign-in.

What it shows: the course, its dates, the programme and the holder's initials (none once she
was erased). Rate-limited per client address and fixed window: each admitted request claims the
next numbered slot of its window, so every gunicorn worker shares the count and no more than
the limit is ever admitted.
"""

import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from common.config import certificate_verify_limit
from common.persistence import by_id, claims
from common.runtime import Runtime
from services.sessions.domain.errors import NotFoundError
from services.sessions.domain.lifecycle_rules import CANCELLED
from services.sessions.stores import (
    certificate_store,
    programme_store,
    series_store,
    session_store,
)

LIMITS = "verification_limits"


def limit() -> tuple[int, int]:
    """(requests, window seconds) from `CERTIFICATE_VERIFY_LIMIT`, e.g. `30/60`."""
    return certificate_verify_limit()


def admit(runtime: Runtime, client: str, now: float | None = None) -> int | None:
    """None if ``client`` may ask now, else the seconds until its window ends."""
    allowed, window = limit()
    now = time.time() if now is None else now
    start = int(now // window) * window
    window_key, opened = f"{client}|{start}", datetime.fromtimestamp(start, UTC)
    limits = runtime.db[LIMITS]
    # The window's document only hints at the slots taken (a stale hint costs a retry).
    hint = by_id.get(limits, window_key) or {}
    for slot in range(hint.get("taken", 0) + 1, allowed + 1):
        if claims.claim(limits, f"{window_key}|{slot}", window_start=opened):
            by_id.set_fields(limits, window_key, {"taken": slot, "window_start": opened},
                             upsert=True)
            return None
    return max(1, int(start + window - now))


def answer(runtime: Runtime, code: str) -> dict:
    """What anyone holding the code may learn."""
    try:
        found = certificate_store.by_code(runtime, code)
    except NotFoundError:
        return {"code": code[:20], "status": "unknown"}
    course = found["course"]
    members = [s for s in (session_store.get(runtime, sid)
                           for sid in _course_sessions(runtime, course))
               if s["status"] != CANCELLED]
    programme = None
    if course.get("programme_id"):
        try:
            programme = programme_store.get(runtime, course["programme_id"])["name"]
        except NotFoundError:
            programme = None
    return {"code": found["code"], "status": "valid" if found["status"] == "issued"
            else "revoked", "title": course["title"],
            "kind": "series" if course.get("series_id") else "session",
            "starts_on": _day(min(((s["starts_at"], s["timezone"]) for s in members),
                                  default=None)),
            "ends_on": _day(max(((s["ends_at"], s["timezone"]) for s in members), default=None)),
            "programme": programme,
            "holder_initials": certificate_store.initials_of(runtime, found),
            "issued_on": _day((found.get("issued_at"), "UTC")),
            "revoked_on": _day((found.get("revoked_at"), "UTC"))
            if found["status"] == "revoked" else None}


def _course_sessions(runtime: Runtime, course: dict) -> list[str]:
    if course.get("series_id"):
        return [s["_id"] for s in series_store.sessions_of(runtime, course["series_id"])]
    return [course["session_id"]]


def _day(moment_zone: tuple | None) -> str | None:
    """The local date of a moment in its session's timezone."""
    if moment_zone is None or moment_zone[0] is None:
        return None
    moment, zone = moment_zone
    return moment.astimezone(ZoneInfo(zone)).date().isoformat()
