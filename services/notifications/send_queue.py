"""The worker's sending machinery: a queue of candidates, sending threads that take it in
batches, the retries each worker schedules, and the periodic look-up of what is due.

Work reaches the queue three ways: what the consumer just recorded (`offer`), a retry this
worker scheduled (offered again when due), and a look-up of the collection (`look_up`) for
reminders and what a crash left, made only when the threads are idle. A sending thread takes
up to BATCH candidates at once (`send_queued`): one insert claims them all, one bulk write
marks them `sending`, each is sent over the thread's kept SMTP connection, and one bulk write
records what became of them.

A worker that dies mid-batch leaves its leases to expire (or to its successor on the same
host, at once); the successor resends what the SMTP server had accepted but whose status was
not written yet: at most one batch per sending thread, each message with the same `Message-ID`
(`<notification id@...>`), so a relay or mailbox that de-duplicates by Message-ID drops it.
"""

import heapq
import itertools
import logging
import queue
import random
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from pymongo.errors import PyMongoError

from common.config import NotificationSettings
from common.runtime import Runtime
from services.notifications import directory as contacts
from services.notifications import holders
from services.notifications.channels.base import Channel
from services.notifications.delivery import Delivery
from services.notifications.stores import claim_store, delivery_store
from services.notifications.unsent_claims import UnsentClaims

log = logging.getLogger(__name__)
# Final for good (a failed one may be resent): the worker's own sweep need not read them back.
FINISHED = ("sent", "skipped")


class SendQueue:
    RETRIES_KEPT = 10000
    LOOK_UP_BATCH = 500
    # Candidates waiting for a sending thread. A backlog waits in Kafka and the database, not
    # here: the consumer waits (`offer_new`) while the queue is full, so it plans no further
    # ahead of the sending threads than this (a queue of 10,000 whole notifications was tens
    # of MB of the worker's memory in a backlog).
    QUEUED_AT_MOST = 500
    FULL_WAIT_S = 10.0
    BATCH = 20  # claimed, sent and recorded together by one sending thread
    LINGER_S = 0.05  # how long a batch waits for more once it has one
    SETTLE_S = 10.0  # pending ones younger than this are still in their worker's queue
    WAIT_STEP_S = 0.2  # a wait for room looks this often whether the worker is stopping

    def __init__(self, runtime: Runtime, channels: dict[str, Channel],
                 config: NotificationSettings,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 directory: contacts.Directory | None = None, settle_s: float = SETTLE_S,
                 stopping: threading.Event | None = None):
        self.runtime, self.config, self.clock, self.settle_s = runtime, config, clock, settle_s
        # The worker's SIGTERM: from then on the consumer no longer waits for room, a sending
        # thread stops after the message it is sending, and what this worker claimed and did
        # not send is handed back (`release`) for another worker, or its successor, to send.
        self.stopping = stopping or threading.Event()
        directory = directory or contacts.Directory(
            runtime.settings, {"registration": config.registration_url,
                               "sessions": config.sessions_url})
        self.delivery = Delivery(runtime, channels, config, clock, directory)
        self._ready: queue.Queue[dict] = queue.Queue(maxsize=self.QUEUED_AT_MOST)
        self._stalled = False  # a wait for room timed out: no more waits until there is room
        # Retries this worker scheduled, (due, n, candidate): offered again when due, so the
        # look-up of the collection can be rare. Beyond the cap the look-up finds them.
        self._retries: list[tuple[datetime, int, dict]] = []
        self._retries_lock = threading.Lock()
        self._pushed = itertools.count()  # orders equal times, never the candidates
        self._gathering = threading.Lock()
        self._me = holders.me()  # this worker, as the holder of what it claims
        self._unsent = UnsentClaims(self._me, config.lease_s, clock)  # for `release`

    def claim_at_birth(self, documents: list[dict]) -> list[dict]:
        """The notifications the consumer is about to store, those due now claimed by this
        worker in their own insert (`claim_store.at_birth`), offered once stored."""
        return claim_store.at_birth(documents, self.clock(), self.config.lease_s)

    def offer_new(self, notification: dict) -> None:
        """What the consumer just stored (`offer`), waiting while the sending threads' queue
        is full: once up to FULL_WAIT_S, then not again until there is room (sending threads
        stuck on a dead SMTP server must not hold the consumer past its poll interval)."""
        self.offer(notification, wait_s=self.FULL_WAIT_S)

    def offer(self, notification: dict, wait_s: float = 0.0) -> None:
        """A notification this worker just recorded: send it now if it is due, without waiting
        for the next look-up (which still finds it if the queue is full or the worker dies:
        one born claimed once its lease runs out, or at once if this worker died)."""
        if notification.get("status") == "pending" and notification["due_at"] <= self.clock():
            self._enqueue(notification, wait_s)
        elif claim_store.held_since_birth(notification, self._me, self.clock(),
                                          self.config.lease_s):
            self._enqueue(notification, wait_s)

    def _enqueue(self, candidate: dict, wait_s: float = 0.0) -> bool:
        try:
            if wait_s > 0 and not self._stalled:
                self._put_waiting(candidate, wait_s)
            else:
                self._ready.put_nowait(candidate)
        except queue.Full:
            if not self.stopping.is_set():
                self._stalled = self._stalled or wait_s > 0
            self._unsent.keep([candidate])
            return False
        self._stalled = False
        return True

    def _put_waiting(self, candidate: dict, wait_s: float) -> None:
        """Queue it, waiting up to ``wait_s`` for room, but not once the worker is stopping
        (its sending threads then take nothing more: the wait would only hold its exit)."""
        deadline = time.monotonic() + wait_s
        while True:
            step = min(self.WAIT_STEP_S, deadline - time.monotonic())
            if step <= 0 or self.stopping.is_set():
                self._ready.put_nowait(candidate)  # queue.Full if there is still no room
                return
            try:
                self._ready.put(candidate, timeout=step)
                return
            except queue.Full:
                continue

    def look_up(self) -> int:
        """Queue what is due (reminders, what a crash or a full queue left), up to
        LOOK_UP_BATCH in one look-up; returns how many were queued."""
        due = claim_store.due(self.runtime, self.clock(), limit=self.LOOK_UP_BATCH,
                              settle_s=self.settle_s)
        # Workers looking up the same backlog take it in different orders, so that they
        # rarely race for the same batch.
        random.shuffle(due)
        return sum(self._enqueue(c) for c in due)

    def offer_due_retries(self) -> int:
        """Hand the retries that are due to the sending threads; returns how many."""
        now, due = self.clock(), []
        with self._retries_lock:
            while self._retries and self._retries[0][0] <= now:
                due.append(heapq.heappop(self._retries)[2])
        for candidate in due:
            self.offer(candidate)
        return len(due)

    def run_sending(self, stop: threading.Event) -> None:
        """A sending thread: send what was queued, batch after batch, until stopped."""
        while not stop.is_set():
            self.send_queued(timeout_s=0.5)

    def send_queued(self, timeout_s: float) -> int:
        """Claim, send and record one batch of what is queued (waiting up to ``timeout_s``
        for the first); returns how many this worker held and handled."""
        batch = self._next_batch(timeout_s)
        if not batch:
            return 0
        if self.stopping.is_set():  # taken just as the worker stops: handed back, not sent
            self._unsent.keep(batch)
            return 0
        try:
            claimed = self._claim(batch)
            # Stopping, it ends with the message it is sending (a slow relay took a second
            # or more for each of a batch's 20): what it did is recorded, the rest handed back.
            outcomes = self.delivery.deliver_all(claimed, self.stopping.is_set)
            written = delivery_store.write(self.runtime, outcomes, self.config.lease_s,
                                           self.clock())
            claim_store.release(self.runtime, claimed[len(outcomes):])
            claim_store.finished(self.runtime, [
                o.notification["_id"] for o in written
                if o.update.get("$set", {}).get("status") in FINISHED])
        except PyMongoError as exc:  # left for the look-up once the database is back
            log.warning("sender: database unavailable", extra={"error": repr(exc)})
            return 0
        except Exception:
            log.exception("sender failed; the look-up will retry")
            return 0
        for outcome in written:
            if outcome.retry is not None:
                self._retry_later(outcome.retry, outcome.retry_at)
        return len(claimed)

    def _claim(self, batch: list[dict]) -> list[dict]:
        """The batch's candidates this worker holds now: those it claimed at their birth, and
        those it claims now (one insert, one read each, one bulk write)."""
        now, lease_s = self.clock(), self.config.lease_s
        born = {c["_id"]: c for c in batch
                if claim_store.held_since_birth(c, self._me, now, lease_s)}
        others = [c for c in batch if c["_id"] not in born]
        return [*born.values(), *claim_store.take(self.runtime, others, now, lease_s)]

    def _next_batch(self, timeout_s: float) -> list[dict]:
        """Up to BATCH candidates: the first within ``timeout_s``, then what follows within
        LINGER_S. One thread gathers at a time, so that under load batches fill up."""
        if not self._gathering.acquire(timeout=max(timeout_s, 0.001)):
            return []
        try:
            if timeout_s <= 0:  # a test's step: what is queued now, no waiting
                return self._take(self.BATCH, 0)
            return self._take(self.BATCH, timeout_s, time.monotonic() + self.LINGER_S)
        finally:
            self._gathering.release()

    def _take(self, most: int, timeout_s: float, linger_until: float = 0.0) -> list[dict]:
        batch: list[dict] = []
        while len(batch) < most:
            wait = timeout_s if not batch else linger_until - time.monotonic()
            try:
                batch.append(self._ready.get(timeout=wait) if wait > 0
                             else self._ready.get_nowait())
            except queue.Empty:
                break
        return batch

    def _retry_later(self, candidate: dict, retry_at: datetime) -> None:
        with self._retries_lock:
            if len(self._retries) < self.RETRIES_KEPT:
                heapq.heappush(self._retries, (retry_at, next(self._pushed), candidate))

    def run(self, stop: threading.Event) -> None:
        """The worker's background task: offer retries as they fall due, and look up what is
        due every `sender_interval_s`, and again at once if it found a full batch (a backlog
        after an outage), each time only once the sending threads' queue is short."""
        next_look_up, full = 0.0, False
        while not stop.is_set():
            # Never while the sending threads still have a queue: what is in it is being sent,
            # and a look-up is the one query here that is not by `_id`.
            short = self._ready.qsize() < 10
            if short and (time.monotonic() >= next_look_up or full):
                try:
                    full = self.look_up() >= self.LOOK_UP_BATCH
                except PyMongoError as exc:
                    log.warning("sender: database unavailable", extra={"error": repr(exc)})
                    full = False
                except Exception:
                    log.exception("sender failed; will retry")
                    full = False
                next_look_up = time.monotonic() + self.config.sender_interval_s
            self.offer_due_retries()
            stop.wait(min(1.0, max(0.05, next_look_up - time.monotonic())))

    def stopped(self) -> None:
        """The worker's last step, once its consumer has stopped (it queues no more) and its
        sending threads have: `release`."""
        try:
            self.release()
        except PyMongoError as exc:  # their lease runs out instead
            log.warning("sender: queued claims not released", extra={"error": repr(exc)})

    def release(self) -> int:
        """At shutdown: what this worker claimed at birth and has not started sending (still
        queued, or refused by the full queue or taken back as it stopped) becomes pending
        again, so that another worker takes it at its next look-up instead of after the lease
        (a worker on another host cannot tell that this one stopped); returns how many."""
        now = self.clock()
        candidates = self._unsent.take()
        while True:
            try:
                candidates.append(self._ready.get_nowait())
            except queue.Empty:
                break
        born = list({c["_id"]: c for c in candidates if claim_store.held_since_birth(
            c, self._me, now, self.config.lease_s)}.values())
        claim_store.release(self.runtime, born)
        return len(born)
