"""Who is enrolled where: the slice of registration's enrollments that notifications needs.

Each enrollment is kept by `_id`, and each change of it is numbered in its session's roster and
its series' (`stream_store`), so a fan-out finds the enrolled officers by reads by `_id`.
"""

from datetime import UTC, datetime

from pymongo import ReturnDocument

from common.persistence import by_id, projection
from common.runtime import Runtime
from services.notifications.domain.planning_rules import enrolled
from services.notifications.stores.stream_store import Streams

COLLECTION = "enrollments"


def _rosters(runtime: Runtime) -> Streams:
    return Streams(runtime, "rosters")


class HeldRosters:
    """Roster changes held until a batch's handlers are done, then appended together (one
    append per roster). A crash in between leaves the batch's events unrecorded: redelivered,
    each decision is seen again and its change appended again (a reader takes each
    enrollment's latest change: twice is harmless, never is not)."""

    def __init__(self):
        self.changes: list[tuple[str, dict]] = []

    def append(self, runtime: Runtime) -> None:
        """Append what is held; kept if the append fails (a retried handler appends it)."""
        if self.changes:
            _rosters(runtime).append_many(self.changes)
            self.changes = []


def project(runtime: Runtime, payload: dict, status: str, held: HeldRosters | None = None,
            decided_at: datetime | None = None) -> bool:
    """Record an enrollment's latest status; False for an event older than the one recorded.

    Two API processes may publish one enrollment's events out of order (a waiting-list place
    decided just before a promotion can arrive just after it); the seat log's `sequence` says
    which decision came last. One enrollment's events share a key, so one consumer handles them
    in turn. The same decision again (a redelivery) is recorded again: its notices are refused
    as repeats, and its roster change is appended again, in case it never was. The change is
    appended at once, or by ``held`` when it is told to.
    """
    recorded = {"participant_id": payload["participant_id"], "session_id": payload["session_id"],
                "series_id": payload.get("series_id"), "status": status,
                "sequence": payload.get("sequence"), "decided_at": decided_at}
    # Written and read back as it was in one round trip; an older decision arriving late
    # (rare) puts back what it overwrote. Nobody else writes or reads the enrollment meanwhile:
    # one enrollment's events are handled by one consumer in turn.
    collection = runtime.db[COLLECTION]
    stored = collection.find_one_and_update({"_id": payload["enrollment_id"]},
                                            {"$set": recorded}, upsert=True,
                                            return_document=ReturnDocument.BEFORE)
    known, sequence = (stored or {}).get("sequence"), payload.get("sequence")
    if _older(stored, sequence, decided_at):
        collection.replace_one({"_id": payload["enrollment_id"]}, stored)
        return False  # a later decision about this enrollment was already recorded
    if (stored is None or stored.get("status") != status
            or (sequence is not None and known == sequence)):
        change = {"enrollment_id": payload["enrollment_id"], **recorded}
        changes = ([(f"session:{recorded['session_id']}", change)]
                   + ([(f"series:{recorded['series_id']}", change)]
                      if recorded["series_id"] else []))
        if held is None:
            _rosters(runtime).append_many(changes)
        else:
            held.changes += changes
    return True


def _older(stored: dict | None, sequence: int | None, decided_at: datetime | None) -> bool:
    """The decision is older than the one recorded: by the seat log's sequence, or, for an
    event without one (an older producer), by the events' times. The same decision again is
    not older."""
    if stored is None:
        return False
    if stored.get("sequence") is not None and sequence is not None:
        return stored["sequence"] > sequence
    known_at = stored.get("decided_at")
    if known_at is None or decided_at is None:
        return False
    # Stored to the millisecond: within the same one they cannot be told apart.
    return _aware(known_at) > decided_at.replace(microsecond=decided_at.microsecond // 1000 * 1000)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def enrolled_in_session(runtime: Runtime, session_id: str) -> list[str]:
    """Participants confirmed (or promoted) in a session, each once."""
    return enrolled(_rosters(runtime).everything(f"session:{session_id}"))


def confirmed_in_series(runtime: Runtime, series_id: str) -> list[str]:
    """Participants confirmed in any session of a series: the cohort a new session invites."""
    return enrolled(_rosters(runtime).everything(f"series:{series_id}"))


def ensure_indexes(runtime: Runtime) -> None:
    """Rosters for enrollments recorded before they existed (once: the first process claims it)."""
    if by_id.get(runtime.db["rosters_heads"], "recorded-before-rosters") is not None:
        return
    changes = [(f"{scope}:{e[f'{scope}_id']}", {"enrollment_id": e["_id"], **e})
               for e in runtime.db[COLLECTION].find({}) for scope in ("session", "series")
               if e.get(f"{scope}_id")]
    _rosters(runtime).append_many(changes)
    projection.upsert(runtime.db["rosters_heads"], "recorded-before-rosters", {"done": True})
