"""The one way a session's seats change: read the log, decide, append the entry with its events.

A lost race (another process appended first) reads again and decides again, so no seat is given
twice and nothing accepted is lost; a process's threads take turns per session instead of
racing (`one_at_a_time`), and the copies are brought up to date after the turn (`copy`).
"""

import random
import threading
import time

from common.envelope import Event
from common.runtime import Runtime
from services.registration import events
from services.registration.domain import seat_rules
from services.registration.domain.errors import (
    ConflictError,
    ContentionError,
    GoneError,
    InvalidFieldError,
    NotFoundError,
    UnknownSessionError,
)
from services.registration.stores import enrollment_store, host_hints, seat_log_store

MAX_ATTEMPTS = 200
REFUSALS = (ConflictError, GoneError, InvalidFieldError, NotFoundError)


def _pause(attempt: int) -> None:
    # Jittered backoff so racing processes stop colliding; not a synchronisation.
    time.sleep(random.uniform(0, 0.002 * min(attempt + 1, 20)))  # noqa: S311


_deciding: dict[tuple[str, str], threading.Lock] = {}
_deciding_lock = threading.Lock()


class _Turn:
    """One session's turn to decide: this process's threads queue on a lock, then the host's
    processes on its record lock (`host_hints.exclusive`), so neither race for the log's next
    number (a process on another host still may: the unique append decides)."""

    def __init__(self, runtime: Runtime, session_id: str, threads: threading.Lock):
        self.runtime, self.session_id, self.threads = runtime, session_id, threads
        self.host = None

    def __enter__(self):
        self.threads.acquire()
        try:
            self.host = host_hints.exclusive(self.runtime, f"seat_log:{self.session_id}")
            self.host.__enter__()
        except BaseException:
            self.threads.release()
            raise
        return self

    def __exit__(self, *raised):
        try:
            self.host.__exit__(*raised)
        finally:
            self.threads.release()


def one_at_a_time(runtime: Runtime, session_id: str) -> _Turn:
    """The lock on deciding for one session: this process's threads and this host's processes
    queue instead of racing (only processes elsewhere can take a number first)."""
    key = (runtime.db.name, session_id)
    with _deciding_lock:
        if len(_deciding) > 10_000:
            _deciding.clear()  # a lock dropped here only lets two threads race, as processes do
        return _Turn(runtime, session_id, _deciding.setdefault(key, threading.Lock()))


def decide_and_append(runtime: Runtime, session_id: str, decide, kind: str,
                      cause: Event | None = None) -> seat_rules.SeatState | None:
    """Read, decide, append; again on a lost race. ``decide(state, fresh)`` returns (changes,
    fields) or (changes, fields, causes: one per change), or None."""
    seat_log_store.note_change(runtime, session_id)
    with one_at_a_time(runtime, session_id):
        after, changes = decided(runtime, session_id, decide, kind, cause)
    if after is not None:
        copy(runtime, after, changes, kind)
    return after


def decided(runtime: Runtime, session_id: str, decide, kind: str, cause: Event | None):
    """`_decide_and_append`'s decision, the session's turn held: the state after its entry
    (None when nothing changed) and the changes."""
    # First from the seats this process remembers, without a read: were they stale, the
    # append finds its number taken (or the decision is none or a refusal), and the decision
    # is made again on more of the log: after a first lost append, on the one entry that took
    # the number (the other API process's, usually all there is); after that, on all of it.
    # The entries another process of this host appended since are read by their numbers
    # (`seat_log_store.caught_up`), instead of being found by a lost append.
    current, fresh = seat_log_store.caught_up(
        runtime, seat_log_store.remembered(runtime, session_id)), False
    for attempt in range(MAX_ATTEMPTS):
        if current is None:
            current, fresh = seat_log_store.state(runtime, session_id), True
        if current is None:
            raise UnknownSessionError(session_id)
        try:
            decision = decide(current, fresh)
        except REFUSALS:
            if fresh:
                raise
            current = None  # perhaps only because the seats were stale: read them
            continue
        if decision is None:
            if fresh:
                return None, []
            current = None
            continue
        changes, fields = decision[0], decision[1]
        causes = decision[2] if len(decision) > 2 else [cause] * len(changes)
        after = seat_log_store.append(runtime, current, kind,
                                      [entry for entry, _, _ in changes],
                                      _events(runtime, current, changes, causes), **fields)
        if after is not None:
            return after, changes
        if attempt > 0:
            _pause(attempt)
        current, fresh = (seat_log_store.taken(runtime, current) if attempt == 0 else None), False
    raise ContentionError(f"session {session_id} is changing too fast; retry")


def copy(runtime: Runtime, after: seat_rules.SeatState, changes, kind: str) -> None:
    moved = [entry["participant_id"] for entry, _, _ in changes]
    if kind != "enrolled":
        moved += after.waiting  # places on the waiting list may have moved: their copies too
    enrollment_store.sync(runtime, after, moved)


def _events(runtime: Runtime, current: seat_rules.SeatState, changes, causes):
    seq = current.revision + 1
    return [runtime.event(event_type, entry["enrollment_id"],
                          events.enrollment_data(event_type, entry, current.session_id,
                                                 current.series_id, sequence=seq, **extra), cause)
            for (entry, event_type, extra), cause in zip(changes, causes, strict=True)]
