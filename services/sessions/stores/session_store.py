"""Sessions: scheduling, rescheduling, starting, completing and cancelling, each with its event.

Every change is one single-document write by `_id` carrying its event, guarded by a claim of the
revision it was decided on (`documents.change_session`), so a concurrent change makes the
second writer fail cleanly instead of both winning.
"""

from datetime import UTC, datetime

from common import outbox
from common.persistence import by_id
from common.runtime import Runtime
from services.sessions import events
from services.sessions.domain import lifecycle_rules, series_rules
from services.sessions.domain.errors import InvalidDetailsError
from services.sessions.stores import (
    documents,
    programme_store,
    series_store,
    session_calendar_store,
)

COLLECTION = documents.SESSIONS
PLACE = ("venue", "city", "country")
EVERY = session_calendar_store.EVERY


def create(runtime: Runtime, details: dict) -> dict:
    """A draft, or a scheduled session announced with `sessions.session.scheduled`."""
    details = _planned(details)
    draft = details.pop("draft", False)
    parent = _parent_series(runtime, details)
    if parent is None and details.get("programme_id"):
        documents.referenced(runtime.db[programme_store.COLLECTION], details["programme_id"],
                             "programme", "programme_id")
    document = _new(details, draft)
    members = None if parent is None else series_store.sessions_of(runtime, parent["_id"])
    announced = [] if draft else [_scheduled(runtime, document, parent, members)]
    stored = runtime.insert(COLLECTION, document, announced)
    session_calendar_store.place(runtime, None, stored)
    if parent is None:
        return stored
    return _in_series(stored, parent, members + [stored])


def create_in_series(runtime: Runtime, series_id: str, rows: list[dict]) -> list[dict]:
    """Several sessions of one series planned at once (a series' schedule): one insert for
    them all and one calendar round per listing, each scheduled one announced as `create`
    announces it, its position counted among the series' sessions and the new ones."""
    parent = series_store.get(runtime, series_id)
    planned = []
    for row in rows:
        details = _planned({**row, "series_id": series_id,
                            "programme_id": parent["programme_id"]})
        draft = details.pop("draft", False)
        planned.append((_new(details, draft), draft))
    members = series_store.sessions_of(runtime, series_id) + [doc for doc, _ in planned]
    stored = [outbox.on_insert(doc, runtime.topic,
                               [] if draft else [_scheduled(runtime, doc, parent, members)])
              for doc, draft in planned]
    collection = runtime.db[COLLECTION]
    if any(document["outbox"] for document in stored):
        runtime.publisher.register(runtime.db)  # before the write: a crash after it is seen
    collection.insert_many(stored)
    for document in stored:
        if document["outbox"]:
            runtime.publisher.publish_soon(collection, document["outbox"],
                                           fresh_ids=[e["id"] for e in document["outbox"]],
                                           doc_id=document["_id"])
    session_calendar_store.place_many(runtime, [(None, document) for document in stored])
    return [_in_series(document, parent, members) for document in stored]


def _in_series(session: dict, parent: dict, members: list[dict]) -> dict:
    """The session with its place among ``members``, its series' sessions ("1 of 3")."""
    return {**session, "position": series_rules.position(session["_id"], members),
            "planned_sessions": parent["planned_sessions"]}


def _planned(details: dict) -> dict:
    """The details checked, their moments in UTC (the session's timezone says how to show
    them)."""
    details = {**details, "starts_at": details["starts_at"].astimezone(UTC),
               "ends_at": details["ends_at"].astimezone(UTC)}
    lifecycle_rules.check_plan(details["starts_at"], details["ends_at"], details["timezone"],
                               details["capacity"])
    return details


def _new(details: dict, draft: bool) -> dict:
    return {"_id": documents.new_id(), **details,
            "status": lifecycle_rules.DRAFT if draft else lifecycle_rules.SCHEDULED,
            "facilitators": [], "reschedules": [], "created_at": datetime.now(UTC)}


def _parent_series(runtime: Runtime, details: dict) -> dict | None:
    """The session's series (its programme comes with it), or None."""
    if not details.get("series_id"):
        return None
    parent = documents.referenced(runtime.db[series_store.COLLECTION], details["series_id"],
                                  "series", "series_id")
    if details.get("programme_id") not in (None, parent["programme_id"]):
        raise InvalidDetailsError({"programme_id": ["differs from the series' programme"]})
    details["programme_id"] = parent["programme_id"]
    return parent


def _scheduled(runtime: Runtime, session: dict, parent: dict | None,
               members: list[dict] | None = None):
    """`sessions.session.scheduled`; ``members``: the series' sessions, if already read."""
    position = planned = None
    if parent is not None:
        if members is None:
            members = series_store.sessions_of(runtime, parent["_id"])
        others = [s for s in members if s["_id"] != session["_id"]]
        position = series_rules.position(session["_id"], others + [session])
        planned = parent["planned_sessions"]
    payload = {"session_id": session["_id"], "position": position, "planned_sessions": planned,
               **{k: session.get(k) for k in (
                   "series_id", "kind", "title", "starts_at", "ends_at", "timezone",
                   "capacity", *PLACE)},
               "languages": session.get("languages") or []}
    return runtime.event(events.SESSION_SCHEDULED, session["_id"],
                         events.SessionScheduled().dump(payload))


def get(runtime: Runtime, session_id: str) -> dict:
    return documents.must_get(runtime.db[COLLECTION], session_id, "session")


def describe(runtime: Runtime, session: dict) -> dict:
    """The session with its place in its series ("1 of 3"), unless it already has it."""
    if "position" in session:
        return session
    if not session.get("series_id"):
        return {**session, "position": None, "planned_sessions": None}
    parent = series_store.get(runtime, session["series_id"])
    return _in_series(session, parent, series_store.sessions_of(runtime, parent["_id"]))


def listing(runtime: Runtime, filters: dict, skip: int, limit: int) -> tuple[list[dict], int]:
    """One page of the sessions ``filters`` ask for, earliest first, and how many there are."""
    scope, unchecked = session_calendar_store.narrowest(runtime, filters)
    if not unchecked:
        return session_calendar_store.page(runtime, scope, skip, limit)
    # Two narrowing filters at once: the scope listing fewer, checked whole.
    found = [s for s in session_calendar_store.page(runtime, scope, 0, EVERY)[0]
             if all(_matches(s, field, value) for field, value in unchecked.items())]
    return found[skip:skip + limit], len(found)


def of_programme(runtime: Runtime, programme_id: str) -> list[dict]:
    """Every session of a programme, earliest first (read by `_id`)."""
    found = session_calendar_store.ids(runtime, f"programme_id:{programme_id}")
    return by_id.get_each(runtime.db[COLLECTION], found, documents.HIDDEN)


def _matches(session: dict, field: str, value: str) -> bool:
    if field == "facilitator_id":
        return any(a["facilitator_id"] == value for a in session.get("facilitators", []))
    return session.get(field) == value


def _write(runtime: Runtime, session: dict, update: dict, event) -> dict:
    """Apply a change only if the session is still as read; its event goes with it."""
    update.setdefault("$set", {})["updated_at"] = datetime.now(UTC)
    stored = documents.change_session(runtime, session, update, [event])
    session_calendar_store.place(runtime, session, stored)
    return stored


def schedule(runtime: Runtime, session_id: str) -> dict:
    session = get(runtime, session_id)
    status = lifecycle_rules.schedule(session["status"])
    parent = series_store.get(runtime, session["series_id"]) if session.get("series_id") else None
    return _write(runtime, session, {"$set": {"status": status}},
                  _scheduled(runtime, {**session, "status": status}, parent))


def start(runtime: Runtime, session_id: str) -> dict:
    session = get(runtime, session_id)
    status = lifecycle_rules.start(session["status"])
    return _write(runtime, session, {"$set": {"status": status}},
                  _changed(runtime, events.SESSION_STARTED, session))


def complete(runtime: Runtime, session_id: str) -> dict:
    session = get(runtime, session_id)
    status = lifecycle_rules.complete(session["status"], session["ends_at"], datetime.now(UTC))
    return _write(runtime, session, {"$set": {"status": status}},
                  _changed(runtime, events.SESSION_COMPLETED, session))


def cancel(runtime: Runtime, session_id: str, reason: str) -> dict:
    session = get(runtime, session_id)
    status = lifecycle_rules.cancel(session["status"], reason)
    event = runtime.event(events.SESSION_CANCELLED, session_id, events.SessionCancelled().dump(
        {"session_id": session_id, "series_id": session.get("series_id"), "reason": reason}))
    return _write(runtime, session, {"$set": {"status": status, "cancel_reason": reason}},
                  event)


def change_capacity(runtime: Runtime, session_id: str, capacity: int) -> dict:
    session = get(runtime, session_id)
    capacity = lifecycle_rules.change_capacity(session["status"], capacity)
    event = runtime.event(events.SESSION_CAPACITY_CHANGED, session_id,
                          events.SessionCapacityChanged().dump({"session_id": session_id,
                                                                "capacity": capacity}))
    return _write(runtime, session, {"$set": {"capacity": capacity}}, event)


def reschedule(runtime: Runtime, session_id: str, change: dict) -> dict:
    """Move a planned session, keeping the old and the new dates."""
    session = get(runtime, session_id)
    timezone = change.get("timezone") or session["timezone"]
    move = lifecycle_rules.reschedule(session, change["starts_at"], change["ends_at"], timezone,
                                      datetime.now(UTC))
    place = {k: change[k] for k in PLACE if k in change}
    payload = {"session_id": session_id, "series_id": session.get("series_id"),
               **{k: v for k, v in move.items() if k != "rescheduled_at"},
               **{k: session.get(k) for k in PLACE}, **place}
    event = runtime.event(events.SESSION_RESCHEDULED, session_id,
                          events.SessionRescheduled().dump(payload))
    update = {"$set": {"starts_at": move["starts_at"], "ends_at": move["ends_at"],
                       "timezone": timezone, **place},
              "$push": {"reschedules": move}}
    return _write(runtime, session, update, event)


def _changed(runtime: Runtime, event_type: str, session: dict):
    return runtime.event(event_type, session["_id"], events.SessionChanged().dump(
        {"session_id": session["_id"], "series_id": session.get("series_id")}))
