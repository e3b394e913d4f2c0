"""What is due now, read from the hours notifications fall due (`due_store`), not from a query
over every notification.

A sweep reads the entries new since it last looked in each hour that has come (from memory
for those this process wrote, else a read per group of entries and one to see the end), and
watches each notification until it is done with: it reads it again only when it may be due
(its time, its retry after a failed try, its lease running out). A notification sent, failed,
skipped or cancelled is dropped; one resent is numbered again where it is due.

Each process keeps its own watch. The first hour any watch still needs (or the previous hour)
is kept in the database, so a worker that starts reads from there; hours before it hold only
notifications that are done with. So is, in each hour from there, the first entry still
watched: a worker that starts (a second one, or one restarted) reads from it, not the hour's
every entry (in `make bench` a second worker read back ~60,000 notifications sent within the
hour, about 650 reads a second for a minute and a half).

What this process sent (or skipped) itself is dropped from its watch unread (`finished`: its
sending thread says so); before, each worker read back every notification it sent once its
lease (120 s) had run out, and held back meanwhile the first entry a worker that starts reads.
"""

import heapq
import itertools
import threading
from datetime import UTC, datetime, timedelta

from common.persistence import by_id
from common.runtime import Runtime
from services.notifications import holders
from services.notifications.domain import delivery_rules as rules
from services.notifications.stores import due_store

HOUR = due_store.HOUR
MARK = "due-sweep"  # in feed_heads: the first hour a sweep must read
FINISHED_AT_MOST = 20_000  # ids this process sent, kept until its sweep meets them (~2 MB)
WATCHED_AT_MOST = 10_000  # beyond, new entries wait in their hours until the watch shrinks
# (each watched one costs the process about 400 bytes; 50,000 were ~20 MB of a worker)
FINAL = ("sent", "failed", "skipped", "cancelled")
CHECKED = {"outbox": 0}


def _hour_start(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


class _Sweep:
    """One database's watch in this process."""

    def __init__(self):
        self.lock = threading.Lock()
        self.since: datetime | None = None  # the first hour to read
        self.read_to: dict[datetime, int] = {}  # entries of each hour read so far
        self.watched: dict[str, tuple[datetime, datetime]] = {}  # id -> (its hour, look at)
        self.queue: list[tuple[datetime, int, str]] = []  # (look at, n, id), lazily pruned
        self.count = itertools.count()
        self.unread: datetime | None = None  # the first hour left unread (the watch was full)
        self.at_once_from = 0  # the first entry of `due_store.AT_ONCE` still needed
        self.at_once_read_to = 0
        self.at_once: dict[str, int] = {}  # watched id -> its number there
        self.numbered: dict[str, dict[datetime, int]] = {}  # watched id -> {hour: its number}
        self.start_at: dict[datetime, int] = {}  # where each hour is read from at first
        self.kept: tuple | None = None  # what the database's mark says, as this process wrote it
        self.finished: dict[str, None] = {}  # sent or skipped by this process: final, unread

    def finish(self, notification_ids: list[str]) -> None:
        self.finished.update(dict.fromkeys(notification_ids))
        while len(self.finished) > FINISHED_AT_MOST:
            del self.finished[next(iter(self.finished))]

    def _dropped(self, notification_id: str) -> None:
        self.watched.pop(notification_id, None)
        self.at_once.pop(notification_id, None)
        self.numbered.pop(notification_id, None)

    def watch(self, notification_id: str, hour: datetime, look_at: datetime) -> None:
        known = self.watched.get(notification_id)
        if known is not None:
            hour, look_at = min(hour, known[0]), min(look_at, known[1])
        self.watched[notification_id] = (hour, look_at)
        heapq.heappush(self.queue, (look_at, next(self.count), notification_id))

    def due(self, runtime: Runtime, now: datetime, limit: int, settle_s: float) -> list[dict]:
        if self.since is None:
            self.since, self.at_once_from, self.start_at = _first_hour(runtime, now)
            self.at_once_read_to = self.at_once_from
        self._read_hours(runtime, now, timedelta(seconds=settle_s))
        self._read_at_once(runtime, now, timedelta(seconds=settle_s))
        found = self._look(runtime, now, timedelta(seconds=settle_s))
        self._move_since(runtime, now)
        return sorted(found, key=lambda n: (n.get("due_at") or now, n["_id"]))[:limit]

    def _read_hours(self, runtime: Runtime, now: datetime, settle: timedelta) -> None:
        """Watch the entries new in each hour from `since` to now: hours read before are read
        again only if recent (an entry numbered late lands in the hour it was numbered in)."""
        hour, last, self.unread = self.since, _hour_start(now), None
        while hour <= last:
            if len(self.watched) >= WATCHED_AT_MOST:
                self.unread = hour
                return
            if hour not in self.read_to or hour >= last - HOUR:
                start = self.read_to.get(hour, self.start_at.get(hour, 0))
                end, entries = due_store.following(runtime, due_store.hour_of(hour), start)
                self.read_to[hour] = end
                for number, entry in enumerate(entries, start=start):
                    self._watch_entry(entry, hour, now, settle)
                    if entry["notification_id"] in self.watched:
                        self.numbered.setdefault(entry["notification_id"], {}).setdefault(
                            hour, number)
            hour += HOUR

    def _read_at_once(self, runtime: Runtime, now: datetime, settle: timedelta) -> None:
        """Watch what was numbered to be sent at once since the last sweep."""
        if len(self.watched) >= WATCHED_AT_MOST:
            return
        end, entries = due_store.following(runtime, due_store.AT_ONCE, self.at_once_read_to)
        for number, entry in enumerate(entries, start=self.at_once_read_to):
            self.at_once.setdefault(entry["notification_id"], number)
            self._watch_entry(entry, _hour_start(now), now, settle)
        self.at_once_read_to = end

    def _watch_entry(self, entry: dict, hour: datetime, now: datetime,
                     settle: timedelta) -> None:
        """Watched from when the entry says it falls due (pending ones and those born claimed:
        once settled, by when their own worker has most likely sent them), unless this process
        already sent it."""
        if entry["notification_id"] in self.finished:
            del self.finished[entry["notification_id"]]
            return
        due_at = entry.get("due_at") or now
        if due_at.tzinfo is None:
            due_at = due_at.replace(tzinfo=UTC)
        if entry.get("status") in ("pending", "sending"):
            due_at += settle
        self.watch(entry["notification_id"], hour, due_at)

    def _look(self, runtime: Runtime, now: datetime, settle: timedelta) -> list[dict]:
        """Read each watched notification whose time has come; the ones that may be taken."""
        collection, found, again_now = runtime.db["notifications"], [], {}
        while self.queue and self.queue[0][0] <= now:
            look_at, _, notification_id = heapq.heappop(self.queue)
            known = self.watched.get(notification_id)
            if known is None or known[1] != look_at or notification_id in again_now:
                continue  # dropped, watched again for another time, or looked at already
            if notification_id in self.finished:  # sent by this process since it was watched
                del self.finished[notification_id]
                self._dropped(notification_id)
                continue
            notification = by_id.get(collection, notification_id, CHECKED)
            if notification is None or notification["status"] in FINAL:
                self._dropped(notification_id)
                continue
            again = _next_look(notification, now, settle)
            if again <= now:  # looked at each sweep until it is taken and done with
                found.append(notification)
                again_now[notification_id] = None
            else:
                self.watched[notification_id] = (known[0], again)
                heapq.heappush(self.queue, (again, next(self.count), notification_id))
        for notification_id in again_now:
            self.watched[notification_id] = (self.watched[notification_id][0], now)
            heapq.heappush(self.queue, (now, next(self.count), notification_id))
        return [n for n in found if rules.takeable(n, now, holders.dead(n.get("claim_holder")))]

    def _move_since(self, runtime: Runtime, now: datetime) -> None:
        """The first hour still needed: the oldest watched one's, at most the previous hour."""
        first = min((hour for hour, _ in self.watched.values()),
                    default=_hour_start(now) - HOUR)
        first = min(first, _hour_start(now) - HOUR, self.unread or first)
        at_once_from = min(self.at_once.values(), default=self.at_once_read_to)
        if (first, at_once_from) != (self.since, self.at_once_from):
            self.since, self.at_once_from = first, at_once_from
            self.read_to = {h: n for h, n in self.read_to.items() if h >= first}
            self.start_at = {h: n for h, n in self.start_at.items() if h >= first}
        starts = self._starts()
        if (first, at_once_from, starts) != self.kept:
            self.kept = (first, at_once_from, starts)
            by_id.set_fields(runtime.db["feed_heads"], MARK,
                             {"since": first, "at_once": at_once_from, "hours": starts},
                             upsert=True)

    def _starts(self) -> dict[str, int]:
        """Of each hour read: its first entry still watched, or where it ends (every entry
        before is of a notification done with, as this process last read it)."""
        held: dict[datetime, int] = {}
        for hours in self.numbered.values():
            for hour, number in hours.items():
                held[hour] = min(number, held.get(hour, number))
        return {_key(hour): held.get(hour, end) for hour, end in sorted(self.read_to.items())}


def _next_look(notification: dict, now: datetime, settle: timedelta) -> datetime:
    """When the notification may next be taken: due now if that is now or earlier."""
    if notification["status"] == "sending":
        holder = notification.get("claim_holder") or {}
        # Another process on this host may die: looked at each sweep. This process's own
        # (born claimed, in its sending queue) cannot be taken before its lease runs out:
        # reading each of them every sweep was most of a slow drain's reads.
        if holder.get("host") == holders.HOST and holder != holders.me():
            return now
        return notification["claimed_until"]
    due_at = notification.get("due_at") or now
    return due_at + settle if notification["status"] == "pending" else due_at


def _key(hour: datetime) -> str:
    return f"{hour:%Y%m%d%H}"


def _first_hour(runtime: Runtime, now: datetime) -> tuple[datetime, int, dict[datetime, int]]:
    """Where a process starts: the hour, the entry of those due at once and the first entry
    of each hour kept by the sweeps before it. On a stack never swept by hours, the
    notifications waiting are numbered once among those due at once (a query over them all,
    this once)."""
    mark = by_id.get(runtime.db["feed_heads"], MARK)
    if mark is not None:
        since = mark["since"]
        starts = {datetime.strptime(key, "%Y%m%d%H").replace(tzinfo=UTC): number
                  for key, number in (mark.get("hours") or {}).items()}
        return (since.replace(tzinfo=UTC) if since.tzinfo is None else since,
                mark.get("at_once", 0), starts)
    waiting = runtime.db["notifications"].find(
        {"status": {"$in": ["pending", "scheduled", "sending"]}},
        {"status": 1, "due_at": 1}).sort([("due_at", 1), ("_id", 1)])
    due_store.record_waiting(runtime, list(waiting))
    first = _hour_start(now) - HOUR
    by_id.set_fields(runtime.db["feed_heads"], MARK, {"since": first, "at_once": 0},
                     upsert=True)
    return first, 0, {}


_sweeps: dict[str, _Sweep] = {}
_sweeps_lock = threading.Lock()


def due(runtime: Runtime, now: datetime, limit: int, settle_s: float) -> list[dict]:
    """Notifications that may be taken now (due, or their lease ran out or their holder died
    on this host), oldest first."""
    with _sweeps_lock:
        sweep = _sweeps.setdefault(runtime.db.name, _Sweep())
    with sweep.lock:
        return sweep.due(runtime, now, limit, settle_s)


def finished(runtime: Runtime, notification_ids: list[str]) -> None:
    """This process sent (or skipped) these: final, its sweep will not read them."""
    if not notification_ids:
        return
    with _sweeps_lock:
        sweep = _sweeps.setdefault(runtime.db.name, _Sweep())
    with sweep.lock:
        sweep.finish(notification_ids)


def forget(runtime: Runtime) -> None:
    """This process's watch of the database dropped, as if the process had just started
    (tests of a worker's successor)."""
    with _sweeps_lock:
        _sweeps.pop(runtime.db.name, None)
