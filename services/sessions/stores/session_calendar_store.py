"""The calendar: which sessions a listing holds, in order, as documents read by `_id`.

Each listing a client can ask for (every session; a programme's, a series', a facilitator's;
each of these by status) is a scope. A scope's head document (`_id` = scope) counts its sessions
per day of `starts_at`, and one document per day (`<scope>|<day>`) holds their start times, so a
page is the head, the day or two it falls in, and its sessions by `_id`, whatever the number of
sessions stored. Writers of a scope take turns through a claim (a unique insert), so two
concurrent changes cannot lose each other's entry.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from common.persistence import by_id, claims
from common.runtime import Runtime

CALENDAR = "session_calendar"
TURNS = "session_calendar_turns"
STALE_TURN = timedelta(seconds=10)  # a writer that crashed holding its turn
ALL = "all"
NARROWING = ("series_id", "programme_id", "facilitator_id")  # the first given picks the scope


def _scopes(session: dict | None) -> set[str]:
    if session is None:
        return set()
    bases = [ALL, *(f"{field}:{session[field]}" for field in ("programme_id", "series_id")
                    if session.get(field)),
             *(f"facilitator_id:{a['facilitator_id']}" for a in session.get("facilitators", []))]
    return {*bases, *(f"{base}|status:{session['status']}" for base in bases)}


def _day(session: dict) -> str:
    return session["starts_at"].astimezone(UTC).date().isoformat()


def _start(session: dict) -> str:
    return session["starts_at"].astimezone(UTC).isoformat()


@contextmanager
def _turn(runtime: Runtime, scope: str) -> Iterator[None]:
    turns = runtime.db[TURNS]
    while not claims.claim(turns, scope, since=datetime.now(UTC)):
        held = claims.holder(turns, scope)
        if held and held["since"] < datetime.now(UTC) - STALE_TURN:
            turns.delete_one({"_id": scope, "since": held["since"]})
        time.sleep(0.005)
    try:
        yield
    finally:
        turns.delete_one({"_id": scope})


def place(runtime: Runtime, before: dict | None, after: dict) -> None:
    """Move a session in the calendar from where ``before`` had it to where ``after`` does."""
    was = {scope: (_day(before), _start(before)) for scope in _scopes(before)}
    now = {scope: (_day(after), _start(after)) for scope in _scopes(after)}
    for scope in sorted(set(was) | set(now)):
        if was.get(scope) != now.get(scope):
            with _turn(runtime, scope):
                if scope in was:
                    _put(runtime, scope, was[scope][0], after["_id"], None)
                if scope in now:
                    _put(runtime, scope, now[scope][0], after["_id"], now[scope][1])


def _put(runtime: Runtime, scope: str, day: str, session_id: str, start: str | None) -> None:
    calendar = runtime.db[CALENDAR]
    entries = (by_id.get(calendar, f"{scope}|{day}") or {}).get("entries", {})
    entries = {k: v for k, v in entries.items() if k != session_id}
    if start is not None:
        entries[session_id] = start
    by_id.set_fields(calendar, f"{scope}|{day}", {"entries": entries}, upsert=True)
    by_id.set_fields(calendar, scope, {f"days.{day}": len(entries)}, upsert=True)


def scope_of(filters: dict) -> tuple[str, dict]:
    """The scope answering ``filters``, and the filters it leaves to check on each session."""
    given = {k: v for k, v in filters.items() if v is not None}
    base = next((f"{f}:{given.pop(f)}" for f in NARROWING if f in given), ALL)
    if "status" in given:
        base = f"{base}|status:{given.pop('status')}"
    return base, given


def page(runtime: Runtime, scope: str, skip: int, limit: int) -> tuple[list[str], int]:
    """The ids of one page of a scope's sessions, earliest first, and how many it holds."""
    calendar = runtime.db[CALENDAR]
    days = sorted(((by_id.get(calendar, scope) or {}).get("days") or {}).items())
    total = sum(count for _, count in days)
    ids, seen = [], 0
    for day, count in days:
        if seen + count > skip and len(ids) < limit:
            entries = (by_id.get(calendar, f"{scope}|{day}") or {}).get("entries", {})
            ordered = sorted(entries, key=lambda sid: (entries[sid], sid))
            ids += ordered[max(0, skip - seen):][:limit - len(ids)]
        seen += count
    return ids, total
