"""The roster: who is enrolled in which session, projected from registration's events.

One document per enrollment (`_id` = enrollment_id), so a redelivered event rewrites the same
document. It keeps participant_id, gender and agency (what the indicators need), never names,
and feedback per session. Each session (and each series, for enrollments in a whole series) has
one roster document in `session_rosters` (`_id` = `session:<id>` / `series:<id>`) listing its
enrollments, so a roster is a read by `_id` whatever the number of enrollments stored. Only the
worker writes them. Attendance is in the attendance log (attendance_log_store.py).
"""

from datetime import UTC, datetime

from common.envelope import Event
from common.persistence import by_id, claims, projection
from common.runtime import Runtime
from services.sessions.domain import roster_rules
from services.sessions.domain.lifecycle_rules import local_days
from services.sessions.domain.roster_rules import ACTIVE
from services.sessions.stores import attendance_log_store, documents

COLLECTION = "roster"
ROSTERS = "session_rosters"
ERASED = "erased_participants"
UNSTATED = {"gender": "not_stated", "agency": "not_stated"}  # still counted, in their own cell
SHOWN = ("participant_id", "gender", "agency", "status")


def _roster_id(session_id: str | None, series_id: str | None) -> str:
    return f"session:{session_id}" if session_id else f"series:{series_id}"


def list_on_roster(runtime: Runtime, document: dict) -> None:
    """Show an enrollment, as it now stands, on its session's (or series') roster."""
    projection.upsert(runtime.db[ROSTERS], _roster_id(document.get("session_id"),
                                                      document.get("series_id")),
                      {f"entries.{document['_id']}": {k: document.get(k) for k in SHOWN}})


class HeldEnrollments:
    """A batch's enrollment decisions (confirmed, promoted, withdrawn, cancelled), held in order
    and written by `flush` (the registry runs it after the batch): one read per officer joining
    (her tombstone), one per roster document touched, one bulk write of the enrollments and one
    of the roster documents, instead of five round trips per event.

    The current state of an enrollment is read from its roster document's entry, not from the
    enrollment's own document: both are written only by this worker, by the same flush (the
    enrollments first), and a batch is recorded as handled only after it; a crash in between
    replays the batch, in order, over the same decisions. Withdrawal and cancellation are final;
    an erased officer is never put (back) on a roster, even by the end of an enrollment never
    seen here. Handlers that read rosters or enrollments flush first.
    """

    def __init__(self, runtime: Runtime):
        self.runtime = runtime
        self.held: list[tuple[Event, dict, str]] = []

    def hold(self, event: Event, payload: dict, status: str) -> None:
        self.held.append((event, payload, status))

    def flush(self) -> None:
        """Write what is held; kept on a failure (a handler that flushes first is retried, and
        a failed batch is replayed: the decisions are the same, in the same order)."""
        held = list(self.held)
        if not held:
            return
        shown = self._listed(held)
        # Her tombstone matters to what would name her: joining, or an end never seen here.
        asked = {p["participant_id"] for _, p, status in held
                 if status == ACTIVE or p["enrollment_id"] not in shown}
        gone = {pid for pid in sorted(asked) if erased(self.runtime, pid)}
        writes: dict[str, dict] = {}
        for event, payload, status in held:
            eid, before = payload["enrollment_id"], shown.get(payload["enrollment_id"])
            if status == ACTIVE:
                if payload["participant_id"] in gone or (before and before["status"] != ACTIVE):
                    continue
                entry = {k: payload[k] for k in ("participant_id", "session_id", "series_id")}
                entry.update({k: payload[k] or UNSTATED[k] for k in UNSTATED})
                changed, placed = entry, {k: entry[k] for k in SHOWN if k != "status"}
            elif before is None and payload["participant_id"] in gone:
                continue  # never seen here: nothing of hers to end
            else:
                changed = {}
                placed = before or {"participant_id": payload["participant_id"],
                                    "gender": None, "agency": None}
            write = writes.setdefault(eid, {"set": {}, "insert": {}, "roster": _roster_id(
                payload["session_id"], payload["series_id"])})
            write["set"].update({**changed, "status": status, "updated_at": datetime.now(UTC),
                                 "source_event_id": event.id})
            write["insert"].update({k: payload[k]
                                    for k in ("participant_id", "session_id", "series_id")})
            shown[eid] = {k: placed.get(k) for k in SHOWN if k != "status"} | {"status": status}
        self._write(writes, shown)
        del self.held[:len(held)]

    def drop(self) -> None:
        """Its batch failed as a whole: redelivered (maybe to another worker after a
        rebalance), its decisions are held and written again there; not here, later."""
        self.held.clear()

    def _listed(self, held: list[tuple[Event, dict, str]]) -> dict[str, dict]:
        """What the roster documents show of the batch's enrollments, by enrollment id."""
        wanted: dict[str, set[str]] = {}
        for _, payload, _ in held:
            key = _roster_id(payload["session_id"], payload["series_id"])
            wanted.setdefault(key, set()).add(payload["enrollment_id"])
        shown: dict[str, dict] = {}
        for key in sorted(wanted):
            roster = by_id.get(self.runtime.db[ROSTERS], key,
                               {f"entries.{eid}": 1 for eid in sorted(wanted[key])})
            shown.update({eid: entry for eid, entry in (roster or {}).get("entries", {}).items()
                          if eid in wanted[key]})
        return shown

    def _write(self, writes: dict[str, dict], shown: dict[str, dict]) -> None:
        if not writes:
            return
        # In bounded commands: a poll of 100 ends of stored enrollments (a session of 500
        # cancelled) in one command never returned on FerretDB (see by_id.UPDATES_PER_COMMAND).
        by_id.write_each(self.runtime.db[COLLECTION],
                         {eid: _changes(w) for eid, w in writes.items()}, upsert=True)
        rosters: dict[str, dict] = {}
        for eid, w in writes.items():
            rosters.setdefault(w["roster"], {})[f"entries.{eid}"] = shown[eid]
        # One command per roster document: a roster is rewritten whole on FerretDB, so one
        # command for all of a batch's (40 rosters of 450 officers: 2 MB) outlasted the socket
        # timeout under load, was retried whole, and held the sessions database meanwhile.
        for key, fields in rosters.items():
            by_id.write(self.runtime.db[ROSTERS], key, {"$set": fields})


def _changes(write: dict) -> dict:
    """The update of one enrollment: what its events set, its ids when it is new."""
    fresh = {k: v for k, v in write["insert"].items() if k not in write["set"]}
    return {"$set": write["set"], **({"$setOnInsert": fresh} if fresh else {})}


def erase(runtime: Runtime, participant_id: str) -> None:
    """Unlink an erased officer: a fresh random id replaces theirs, comments are dropped.

    Counts stay right for the donors (gender and agency are kept, pseudonymous and unlinkable),
    and the tombstone stops a late enrollment event from bringing the id back.
    """
    claims.claim(runtime.db[ERASED], participant_id, erased_at=datetime.now(UTC))
    collection = runtime.db[COLLECTION]
    pseudonym = f"erased-{documents.new_id()}"
    # A rare event: finding her enrollments by a field is acceptable here.
    for document in list(collection.find({"participant_id": participant_id}, documents.HIDDEN)):
        comments = {f"feedback.{sid}.comments": "" for sid in document.get("feedback", {})}
        change = {"$set": {"participant_id": pseudonym}}
        if comments:
            change["$unset"] = comments
        collection.update_one({"_id": document["_id"]}, change)
        list_on_roster(runtime, {**document, "participant_id": pseudonym})


def entries(runtime: Runtime, session: dict, whole: bool = True) -> list[dict]:
    """One roster entry per officer of a session: enrolled in it or in its whole series, with
    her marks for this session in `attendance`.

    ``whole``: the full documents (feedback too); otherwise what the roster shows, read from the
    session's roster documents alone (plus ended enrollments, to see whether they count).
    """
    listed: dict[str, dict] = {}
    keys = [_roster_id(session["_id"], None)]
    if session.get("series_id"):
        keys.append(_roster_id(None, session["series_id"]))
    for roster in by_id.get_each(runtime.db[ROSTERS], keys):
        listed.update(roster.get("entries", {}))
    ended: list[str] = []
    if whole:
        found = by_id.get_each(runtime.db[COLLECTION], sorted(listed), documents.HIDDEN)
    else:
        ended = [eid for eid, shown in listed.items() if shown["status"] != ACTIVE]
        found = by_id.get_each(runtime.db[COLLECTION], ended, documents.HIDDEN) + [
            {"_id": eid, **shown} for eid, shown in listed.items() if shown["status"] == ACTIVE]
    if whole or ended:
        _with_marks(runtime, session, found)
    return roster_rules.counted(found, session["_id"])


def _with_marks(runtime: Runtime, session: dict, found: list[dict]) -> None:
    """Put each entry's marks for ``session`` from the attendance log in its `attendance`."""
    days = local_days(session["starts_at"], session["ends_at"], session["timezone"])
    marks = attendance_log_store.session_marks(runtime, session["_id"], days)
    for entry in found:
        if entry["_id"] in marks:
            recorded = entry.setdefault("attendance", {}).setdefault(session["_id"], {})
            recorded.update(marks[entry["_id"]])


def active(runtime: Runtime, session: dict) -> dict[str, dict]:
    """Officers on the roster now, by participant id (what the roster shows of each)."""
    return {e["participant_id"]: e for e in entries(runtime, session, whole=False)
            if e["status"] == ACTIVE}


def erased(runtime: Runtime, participant_id: str) -> bool:
    """Whether the officer was erased: her tombstone keeps late events from bringing her back."""
    return claims.holder(runtime.db[ERASED], participant_id) is not None
