"""The calendar: which sessions a listing holds, in order, as documents read by `_id`.

Each listing a client can ask for (every session; a programme's, a series', a facilitator's;
each of these by status) is a scope. A scope's head document (`_id` = scope) counts its sessions
per day of `starts_at`, and one document per day (`<scope>|<day>`) holds their sessions as a
listing shows them, so a page is the head and the day or two it falls in, whatever the number
of sessions stored. Every write of a session rewrites it in each of its scopes; writers of a
scope take turns through a claim (a unique insert), so two concurrent changes cannot lose each
other's entry. Decisions read the sessions themselves by `_id` (`ids`), never these copies.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from common.persistence import by_id, claims
from common.runtime import Runtime
from services.sessions.stores import documents

CALENDAR = "session_calendar"
TURNS = "session_calendar_turns"
STALE_TURN = timedelta(seconds=10)  # a writer that crashed holding its turn
ALL = "all"
NARROWING = ("series_id", "programme_id", "facilitator_id")  # the first given picks the scope
EVERY = 10_000  # sessions of one series or programme, far above any real one


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
    """Move a session in the calendar from where ``before`` had it to where ``after`` does,
    and show it there as ``after`` is."""
    was = {scope: _day(before) for scope in _scopes(before)}
    now = {scope: _day(after) for scope in _scopes(after)}
    shown = {k: v for k, v in after.items() if k not in documents.HIDDEN}
    for scope in sorted(set(was) | set(now)):
        with _turn(runtime, scope):
            if scope in was and was[scope] != now.get(scope):
                _put(runtime, scope, was[scope], after["_id"], None)
            if scope in now:
                _put(runtime, scope, now[scope], after["_id"], shown)


def _put(runtime: Runtime, scope: str, day: str, session_id: str,
         shown: dict | None) -> None:
    calendar = runtime.db[CALENDAR]
    entries = (by_id.get(calendar, f"{scope}|{day}") or {}).get("entries", {})
    entries = {k: v for k, v in entries.items() if k != session_id}
    if shown is not None:
        entries[session_id] = {"start": _start(shown), "session": shown}
    by_id.set_fields(calendar, f"{scope}|{day}", {"entries": entries}, upsert=True)
    by_id.set_fields(calendar, scope, {f"days.{day}": len(entries)}, upsert=True)


def scope_of(filters: dict) -> tuple[str, dict]:
    """The scope answering ``filters``, and the filters it leaves to check on each session."""
    given = {k: v for k, v in filters.items() if v is not None}
    base = next((f"{f}:{given.pop(f)}" for f in NARROWING if f in given), ALL)
    if "status" in given:
        base = f"{base}|status:{given.pop('status')}"
    return base, given


def page(runtime: Runtime, scope: str, skip: int, limit: int) -> tuple[list[dict], int]:
    """One page of a scope's sessions as listed, earliest first, and how many it holds."""
    calendar = runtime.db[CALENDAR]
    days = sorted(((by_id.get(calendar, scope) or {}).get("days") or {}).items())
    total = sum(count for _, count in days)
    found, seen = [], 0
    for day, count in days:
        if seen + count > skip and len(found) < limit:
            entries = (by_id.get(calendar, f"{scope}|{day}") or {}).get("entries", {})
            ordered = sorted(entries.items(), key=lambda item: (item[1]["start"], item[0]))
            found += [entry["session"] for _, entry in
                      ordered[max(0, skip - seen):][:limit - len(found)]]
        seen += count
    return found, total


def ids(runtime: Runtime, scope: str) -> list[str]:
    """Every session id of a scope, earliest first."""
    return [session["_id"] for session in page(runtime, scope, 0, EVERY)[0]]
