"""Which processes write outboxes, so the relays sweep whole only when something was left behind.

A sweep reads every outbox collection whole (seconds of FerretDB's CPU at the large size). It is
needed only when a process may have died with events it had not sent, when a process asked for
it (`outbox.ask_for_sweep`: a failed publish, a full queue, an unrecorded acknowledgement), or
when no relay of the database has ever completed one (a first start, an upgrade).

So before its first outbox write to a database a process registers there: one upsert of
`{_id: "<host>:<pid>:<random>", beat, beat_s}` in `outbox_processes`. The random part matters:
a process restarted in a container has the same host and pid, and must not hide its
predecessor's crash. The process then beats every ``beat_s`` (from its publisher's thread) and,
on a clean stop with nothing left unsent, removes its entry. A relay sweeps when an entry has
not beaten for `DEAD_AFTER_BEATS` and no completed sweep covers its last beat. What completed
sweeps covered is stored (`SWEPT`), so a relay restarted, or a second one, does not sweep again.

A process writes only within `COVERED_AFTER_BEATS` of its last acknowledged beat: if its beats
lapsed (a stalled thread, a database outage), it registers again before its next write.
"""

import logging
import os
import secrets
import socket
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pymongo.database import Database

log = logging.getLogger(__name__)

PROCESSES = "outbox_processes"
SWEPT = "swept"  # the `_id` of the document holding the cutoff of the latest completed sweep
DEAD_AFTER_BEATS = 3
COVERED_AFTER_BEATS = 2  # everything a process staged is older than its last beat + this
FORGET_AFTER = timedelta(hours=1)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Registration:
    """This process's entries (one per database it writes outboxes to), kept beating."""

    def __init__(self, beat_s: float = 10.0):
        self.beat_s = beat_s
        self._lock = threading.Lock()
        self._pid: int | None = None
        self.entry_id = ""
        # database name -> (database, monotonic time of its last acknowledged beat)
        self._beats: dict[str, tuple[Database, float]] = {}

    def register(self, database: Database) -> None:
        """Before an outbox write to ``database``: an upsert the first time, and again only if
        this process's beats lapsed. Raises if the database refuses: a write the relays do not
        know of must not be made."""
        known = self._beats.get(database.name)
        if (known is not None and self._pid == os.getpid()
                and time.monotonic() - known[1] <= COVERED_AFTER_BEATS * self.beat_s):
            return
        with self._lock:
            self._adopt_pid()
            self._beat(database)

    def beat_due_in(self) -> float | None:
        """Seconds until the next beat is due (a whole period while nothing is registered)."""
        if not self._beats or self._pid != os.getpid():
            return self.beat_s
        oldest = min(at for _, at in self._beats.values())
        return max(0.0, oldest + self.beat_s - time.monotonic())

    def beat(self) -> None:
        """Beat where it is due (from the publisher's thread); a failure is retried next time."""
        with self._lock:
            if self._pid != os.getpid():
                return
            for database, at in list(self._beats.values()):
                if time.monotonic() - at >= self.beat_s:
                    try:
                        self._beat(database)
                    except Exception as exc:  # the next write registers again if it lapses
                        log.warning("outbox beat failed", extra={"error": repr(exc)})

    def leave(self, unasked: set[str] = frozenset()) -> None:
        """A clean stop with nothing left unsent: remove this process's entries, so the relays
        do not take it for dead. The entries in ``unasked`` databases (an ask for a sweep did
        not reach them) are left to go stale: their relays then sweep."""
        with self._lock:
            if self._pid != os.getpid():
                return
            for name, (database, _) in list(self._beats.items()):
                if name in unasked:
                    continue
                try:
                    database[PROCESSES].delete_one({"_id": self.entry_id})
                except Exception as exc:  # left to go stale: the relays sweep once, safely
                    log.warning("outbox entry not removed", extra={"error": repr(exc)})
                del self._beats[name]

    def _adopt_pid(self) -> None:
        if self._pid != os.getpid():  # a new process (a fork): entries of its own
            self._pid = os.getpid()
            self.entry_id = f"{socket.gethostname()}:{self._pid}:{secrets.token_hex(4)}"
            self._beats = {}

    def _beat(self, database: Database) -> None:
        started = time.monotonic()
        database[PROCESSES].update_one(
            {"_id": self.entry_id},
            {"$set": {"beat": datetime.now(UTC), "beat_s": self.beat_s}}, upsert=True)
        self._beats[database.name] = (database, started)


@dataclass
class Look:
    """What a relay read of one database's registry: whether (and why) it must sweep."""

    database: Database
    covered: datetime | None  # the cutoff of the latest completed sweep, as stored
    reason: str | None = None


def look(database: Database, asked_at: list[datetime], now: datetime, grace_s: float) -> Look:
    """Read ``database``'s registry: a sweep is due if none was ever completed, if a process
    asked after the last one's cutoff (``asked_at``), or if a process stopped beating and the
    last one did not cover what it may have staged. The entries of processes gone long ago,
    covered, are forgotten."""
    documents = list(database[PROCESSES].find({}, {"beat": 1, "beat_s": 1, "before": 1}))
    swept = next((d for d in documents if d["_id"] == SWEPT), None)
    covered = _aware(swept["before"]) if swept else None
    result = Look(database, covered)
    if covered is None:
        result.reason = "no sweep completed yet"
        return result
    if any(at > covered for at in asked_at):
        result.reason = "a process asked"
    for entry in documents:
        if "beat" not in entry:
            continue
        beat, period = _aware(entry["beat"]), timedelta(seconds=entry.get("beat_s", 10.0))
        if covered > beat + COVERED_AFTER_BEATS * period:
            if beat < now - FORGET_AFTER:
                database[PROCESSES].delete_one({"_id": entry["_id"]})
            continue
        # Dead once it missed its beats, and late enough that this sweep's cutoff covers it.
        dead_for = max(DEAD_AFTER_BEATS * period,
                       COVERED_AFTER_BEATS * period + timedelta(seconds=grace_s))
        if now - beat > dead_for:
            result.reason = result.reason or "a process stopped beating"
    return result


def record_sweep(seen: Look, cutoff: datetime) -> None:
    """Store that every entry staged before ``cutoff`` is published (a completed sweep). Only
    ever moves forward from what was read."""
    if seen.covered is None or cutoff > seen.covered:
        seen.database[PROCESSES].update_one({"_id": SWEPT}, {"$set": {"before": cutoff}},
                                            upsert=True)


# One document `{_id: host:pid, at}` per process that asked the relays to sweep (a publish of
# its failed or was refused, its queue was full, its acknowledgements were not recorded); a
# relay sweeps when an `at` is later than what the last completed sweep covered (stored:
# `outbox_processes`, which also tells the relays of processes that died).
DUE = "outbox_relay_due"


def ask_for_sweep(database) -> None:
    """Tell the relays of ``database``'s service to sweep (they do once the grace has passed):
    one document per process, its `at` the latest time this process asked."""
    try:
        database[DUE].update_one({"_id": f"{socket.gethostname()}:{os.getpid()}"},
                                 {"$set": {"at": datetime.now(UTC)}}, upsert=True)
    except Exception as exc:  # this process will not leave clean: the relays sweep once it stops
        log.warning("relay not told to sweep", extra={"error": repr(exc)})
        _failed_asks.add((os.getpid(), database.name))


_failed_asks: set[tuple[int, str]] = set()


def unasked() -> set[str]:
    """The databases whose relays this process could not ask to sweep."""
    return {name for pid, name in _failed_asks if pid == os.getpid()}
