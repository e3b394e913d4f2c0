"""The worker's sweep of the enrollments read model: it costs what changed, not what was noted.

The API copies each decision into the read model right after appending it to the seat log
(`enrollment_store.sync`); the sweep repairs what a crash between the two writes, or two racing
copies, left wrong. It learns which sessions changed from the numbered change notes
(`seat_log_store.note_change`, written before each decision) and, per session, which seat-log
revisions it has not verified yet:

- a revision is first *seen* (a read of the session's log after what this process holds), and
  verified once ``settle_s`` later: by then its copies have landed (racing ones too), so one read
  of each changed copy by `_id` decides; only a missing or different copy is written;
- a noted session is looked at again ``settle_s`` after its note was read, which sees the
  decision the note announced even if it was appended after the first look;
- what is verified is remembered per session (`_Verified`, bounded), so the next change of a
  session reads only its own copies, and a stored mark (`seat_log_store.SWEPT`, by `_id`) says
  up to which change note everything is verified: a restarted worker starts there, not with
  every session.
"""

import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from pymongo.errors import PyMongoError

from common.persistence import by_id, claims
from common.runtime import Runtime
from services.registration.domain.seat_rules import SeatState, enrollment
from services.registration.stores import enrollment_pages, enrollment_store, seat_log_store

log = logging.getLogger(__name__)

INTERVAL_S = 10.0
# A decision is appended within this time of its note, and its copies land within this time of
# the append (seconds, usually milliseconds): the sweep verifies a revision this long after it
# first saw it.
SETTLE_S = 20.0
VERIFIED_KEPT = 20_000  # sessions whose verified revision is remembered (about 200 B each)


def verify(runtime: Runtime, state: SeatState, participant_ids) -> int:
    """Make these participants' copies show them as ``state`` does: one read by `_id` each,
    an insert of the missing ones (numbered on the pages), an update of the different ones.
    How many were written."""
    collection = runtime.db[enrollment_store.COLLECTION]
    wanted = [enrollment(state, pid) for pid in dict.fromkeys(participant_ids)
              if pid in state.entries]
    stored = {c["_id"]: c for c in by_id.get_each(collection, [w["_id"] for w in wanted])}
    missing = [w for w in wanted if w["_id"] not in stored]
    taken = claims.insert_each(collection, missing)
    enrollment_pages.number(runtime, [c for n, c in enumerate(missing) if n not in taken])
    written = len(missing) - len(taken)
    for copy in wanted:
        if copy["_id"] in stored and _differs(stored[copy["_id"]], copy):
            fields = {k: v for k, v in copy.items() if k != "_id"}
            if by_id.update_if(collection, copy["_id"],
                               lambda now, copy=copy: _differs(now, copy), {"$set": fields}):
                written += 1
    return written


def _differs(stored: dict, copy: dict) -> bool:
    """Whether a stored copy shows her otherwise than ``copy`` and is not newer than it (the
    revision alone is no difference: a copy showing her as she is now is right)."""
    if stored.get("revision", -1) > copy["revision"]:
        return False
    return any(enrollment_store._as_kept(stored.get(k)) != enrollment_store._as_kept(v)
               for k, v in copy.items() if k not in ("_id", "revision"))


def changed_between(state: SeatState, after: int, upto: int) -> list[str]:
    """The participants whose enrollment changed in revisions ``after`` < r <= ``upto``, and
    the waiting list when such a change may have moved its places (anything but a request)."""
    changed, moved = [], False
    for change, at in state.history.values():
        if after < at <= upto:
            changed.append(change["participant_id"])
            moved = moved or change["updated_at"] != change["requested_at"]
    return changed + (list(state.waiting) if moved else [])


@dataclass
class _Watch:
    """A session with revisions not verified yet, or a note not looked after yet."""
    first_note: int  # the first change note that made it watched (the stored mark stays below)
    verified: int  # every revision up to this one is verified (-1: none known)
    seen: int  # the last revision seen
    look_until: float  # a look at or after this time sees every decision its notes announced
    looked_at: float = float("-inf")
    noted: bool = True  # noted since its last look
    seen_at: list[tuple[float, int]] = field(default_factory=list)  # (when, revision) seen


class Sweep:
    """The sweep's memory between passes: sessions watched, revisions verified, notes read."""

    def __init__(self, runtime: Runtime, settle_s: float = SETTLE_S, clock=time.monotonic):
        self.runtime, self.settle_s, self.clock = runtime, settle_s, clock
        self.watched: dict[str, _Watch] = {}
        self.verified: OrderedDict[str, int] = OrderedDict()
        self.through: int | None = None  # the last change note read
        self.mark: tuple | None = None  # the stored mark as last written

    def start(self) -> None:
        """Start from the stored mark; without one (a first start), watch every session."""
        mark = seat_log_store.swept(self.runtime)
        if mark is not None:
            self.through = mark["settled"]
            return
        self.through = seat_log_store.last_change(self.runtime)  # first: later notes seen next
        now = self.clock()
        for session_id in seat_log_store.all_sessions(self.runtime):
            self._watch(session_id, self.through, now)

    def step(self) -> dict:
        """One pass: read the new notes, look at the sessions due; what it did."""
        if self.through is None:
            self.start()
        now = self.clock()
        for number, session_id in seat_log_store.noted_after(self.runtime, self.through):
            self._watch(session_id, number, now)
            self.through = max(self.through, number)
        done = {"looked": 0, "verified": 0, "written": 0}
        for session_id in [s for s, w in self.watched.items() if self._due(w, now)]:
            self._look(session_id, now, done)
        self._store_mark()
        return done

    def idle(self) -> bool:
        return not self.watched

    def _watch(self, session_id: str, number: int, now: float) -> None:
        watch = self.watched.get(session_id)
        if watch is None:
            known = self.verified.pop(session_id, -1)
            watch = self.watched[session_id] = _Watch(number, known, known, now + self.settle_s)
        watch.noted, watch.look_until = True, now + self.settle_s

    def _due(self, watch: _Watch, now: float) -> bool:
        matured = bool(watch.seen_at) and watch.seen_at[0][0] <= now - self.settle_s
        return watch.noted or matured or watch.looked_at < watch.look_until <= now

    def _look(self, session_id: str, now: float, done: dict) -> None:
        watch = self.watched[session_id]
        state = seat_log_store.state(self.runtime, session_id)
        watch.looked_at, watch.noted = now, False
        done["looked"] += 1
        if state is None:  # never opened: nothing to copy
            del self.watched[session_id]
            return
        if state.revision > watch.seen:
            watch.seen_at.append((now, state.revision))
            watch.seen = state.revision
        matured = [r for at, r in watch.seen_at if at <= now - self.settle_s]
        if matured:
            participants = changed_between(state, watch.verified, matured[-1])
            done["verified"] += len(participants)
            done["written"] += verify(self.runtime, state, participants)
            watch.verified = matured[-1]
            watch.seen_at = watch.seen_at[len(matured):]
        if not watch.seen_at and now >= watch.look_until:
            del self.watched[session_id]
            self.verified[session_id] = watch.verified
            while len(self.verified) > VERIFIED_KEPT:
                self.verified.popitem(last=False)

    def _store_mark(self) -> None:
        """Up to which note everything is verified, and the last note read (by `_id`)."""
        settled = min([w.first_note - 1 for w in self.watched.values()] + [self.through])
        if self.mark != (settled, self.through):
            seat_log_store.mark_swept(self.runtime, settled, self.through)
            self.mark = (settled, self.through)


def sweep_now(runtime: Runtime, sessions=None) -> int:
    """Verify every copy of these sessions (every session when None) at once: a repair by
    hand, and the tests' stand-in for passes after the settling time. How many were written."""
    written = 0
    for session_id in seat_log_store.all_sessions(runtime) if sessions is None else sessions:
        state = seat_log_store.state(runtime, session_id)
        if state is not None:
            written += verify(runtime, state, list(state.entries))
    return written


def sweeper(runtime: Runtime, interval_s: float = INTERVAL_S, settle_s: float = SETTLE_S):
    """The worker's background task: a pass every ``interval_s``."""
    def enrollment_sweeper(stop: threading.Event) -> None:
        sweep = Sweep(runtime, settle_s)
        while not stop.is_set():
            try:
                sweep.step()
            except PyMongoError as exc:
                log.warning("enrollment sweep: database unavailable", extra={"error": repr(exc)})
            except Exception:  # the next pass tries again: what it watched is kept
                log.exception("enrollment sweep failed; will retry")
            stop.wait(interval_s)
    return enrollment_sweeper
