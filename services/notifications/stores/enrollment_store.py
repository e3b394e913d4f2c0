"""Who is enrolled where: the slice of registration's enrollments that notifications needs.

Each enrollment is kept by `_id`, and each change of it is numbered in its session's roster and
its series' (`stream_store`), so a fan-out finds the enrolled officers by reads by `_id`.
"""

from datetime import UTC, datetime

from pymongo import UpdateOne

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

    def drop(self) -> None:
        """Its batch failed as a whole: redelivered, its decisions append their changes again."""
        self.changes = []


class HeldEnrollments:
    """The enrollments a batch's events are about: read side by side before its handlers (one
    read by `_id` each, made at the same time: `$in` would scan the collection on FerretDB),
    decided on in memory in event order (two events of one enrollment in one batch see each
    other), and written at the batch's flush in one bulk write. A poll of 100 decisions waited
    for 100 round trips one after the other; now for about one read and one write.

    A decision held is kept until its write succeeded: a failed flush keeps it (and what the
    handlers read of it), so the retried handler sees it as recorded and its write is made by
    the next flush. A batch that fails as a whole drops it (`drop`): its events are redelivered,
    maybe to another consumer after a rebalance, which may record a later decision; written
    here after that, the older one would overwrite it."""

    CHUNK = by_id.UPDATES_PER_COMMAND  # a bigger update command FerretDB may never answer

    def __init__(self):
        self.known: dict[str, dict | None] = {}
        self.writes: dict[str, dict] = {}

    def read(self, runtime: Runtime, enrollment_ids: list[str]) -> None:
        """Forget what was read for earlier batches (not what is still to be written), then
        read ``enrollment_ids`` side by side."""
        self.forget()
        ids = [i for i in dict.fromkeys(enrollment_ids) if i not in self.known]
        collection = runtime.db[COLLECTION]
        self.known.update(by_id.side_by_side(lambda i: collection.find_one({"_id": i}), ids))

    def forget(self) -> None:
        """What was read is not kept past its batch (another consumer may take the partition);
        what is still to be written is."""
        self.known = {i: self.known[i] for i in self.writes if i in self.known}

    def drop(self) -> None:
        """Its batch failed as a whole: nothing of it is kept (redelivered, maybe to another
        worker after a rebalance, its decisions are read and made again)."""
        self.known, self.writes = {}, {}

    def stored(self, runtime: Runtime, enrollment_id: str) -> dict | None:
        """The enrollment as recorded, with this batch's decisions; read if it was not."""
        if enrollment_id not in self.known:
            self.known[enrollment_id] = runtime.db[COLLECTION].find_one({"_id": enrollment_id})
        return self.known[enrollment_id]

    def hold(self, enrollment_id: str, recorded: dict) -> None:
        """Held as the database would give it back: its time to the millisecond (else the
        same decision seen again in the batch would look older than itself)."""
        moment = recorded.get("decided_at")
        kept = {**recorded, "decided_at": moment and moment.replace(
            microsecond=moment.microsecond // 1000 * 1000)}
        self.known[enrollment_id] = {**(self.known.get(enrollment_id) or {"_id": enrollment_id}),
                                     **kept}
        self.writes[enrollment_id] = recorded

    def write(self, runtime: Runtime) -> None:
        """Write what is held, by `_id`, in chunks; each chunk let go once written."""
        collection = runtime.db[COLLECTION]
        while self.writes:
            chunk = list(self.writes.items())[:self.CHUNK]
            collection.bulk_write([UpdateOne({"_id": i}, {"$set": recorded}, upsert=True)
                                   for i, recorded in chunk])
            for enrollment_id, recorded in chunk:
                if self.writes.get(enrollment_id) is recorded:
                    del self.writes[enrollment_id]


def project(runtime: Runtime, payload: dict, status: str, held: HeldRosters | None = None,
            decided_at: datetime | None = None,
            enrollments: HeldEnrollments | None = None) -> bool:
    """Record an enrollment's latest status; False for an event older than the one recorded.

    Two API processes may publish one enrollment's events out of order (a waiting-list place
    decided just before a promotion can arrive just after it); the seat log's `sequence` says
    which decision came last. One enrollment's events share a key, so one consumer handles them
    in turn. The same decision again (a redelivery) is recorded again: its notices are refused
    as repeats, and its roster change is appended again, in case it never was. The change is
    appended at once, or by ``held`` when it is told to; the enrollment is written at once, or
    by ``enrollments`` when it is told to (its batch's flush).
    """
    recorded = {"participant_id": payload["participant_id"], "session_id": payload["session_id"],
                "series_id": payload.get("series_id"), "status": status,
                "sequence": payload.get("sequence"), "decided_at": decided_at}
    enrollment_id = payload["enrollment_id"]
    state = enrollments if enrollments is not None else HeldEnrollments()
    stored = state.stored(runtime, enrollment_id)
    known, sequence = (stored or {}).get("sequence"), payload.get("sequence")
    if _older(stored, sequence, decided_at):
        return False  # a later decision about this enrollment was already recorded
    state.hold(enrollment_id, recorded)
    if enrollments is None:
        state.write(runtime)
    if (stored is None or stored.get("status") != status
            or (sequence is not None and known == sequence)):
        change = {"enrollment_id": enrollment_id, **recorded}
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
