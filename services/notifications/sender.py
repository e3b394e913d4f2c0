"""The sender: claim a due notification atomically, send it, record the attempt.

Work reaches the sending threads (`run_ready`) three ways: what the consumer just recorded
(`offer`), a retry its worker scheduled (offered again when due), and a look-up of the whole
collection (`run`) for reminders and what a crash left, made only when the threads are idle.

Claiming inserts a unique claim (see `claims`), then marks the notification `sending` with a
lease (`claimed_until`) and a claim token, so two workers never hold the same notification. A
worker that dies mid-send leaves its lease to expire; another worker then reclaims and resends.
That resend (a crash after the SMTP server accepted the message, before the status was written)
is the one duplicate we cannot rule out without a transaction spanning SMTP and the database;
the message keeps the same `Message-ID` (`<notification id@...>`), so a relay or mailbox that
de-duplicates by Message-ID drops it, and the lease is far longer than an SMTP conversation.
"""

import heapq
import logging
import queue
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr

from pymongo.errors import PyMongoError

from common.consumer import backoff_delay
from common.envelope import new_event
from common.runtime import Runtime
from services.notifications import claims, composing, events
from services.notifications import directory as contacts
from services.notifications.channels.base import Channel, Result
from services.notifications.domain import notification_rules as notifications
from services.notifications.domain import preference_rules as preferences
from services.notifications.settings import NotificationSettings
from services.notifications.stores import certificate_store as certificates
from services.notifications.stores import recipient_store as recipients
from services.notifications.stores import session_projection_store as sessions
from services.notifications.stores.notification_store import COLLECTION

log = logging.getLogger(__name__)
N = notifications
SENT, FAILED = events.NOTIFICATION_SENT, events.NOTIFICATION_FAILED


def skip_reason(recipient: dict | None, channel: Channel | None,
                notification: dict) -> str | None:
    """Why this notification is not sent at all (recorded as skipped), or None."""
    if channel is None:
        return f"no channel {notification['channel']}"
    if recipient is None or not recipient.get(channel.address_field):
        return f"recipient has no {channel.address_field} address"
    return preferences.blocks(recipient, notification)


def after_attempt(ok: bool, tries: int, config: NotificationSettings,
                  now: datetime) -> tuple[str, datetime | None]:
    """Status after try number ``tries``: sent, pending again after a backoff, or failed."""
    if ok:
        return "sent", None
    if tries >= config.max_attempts:
        return "failed", None
    delay = backoff_delay(tries, config.backoff_s, config.backoff_cap_s)
    return "pending", now + timedelta(seconds=delay)


class Sender:
    RETRIES_KEPT = 10000
    LOOK_UP_BATCH = 500
    SETTLE_S = 10.0  # pending ones younger than this are still in their worker's queue

    def __init__(self, runtime: Runtime, channels: dict[str, Channel],
                 config: NotificationSettings,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 directory: contacts.Directory | None = None):
        self.runtime, self.channels, self.config, self.clock = runtime, channels, config, clock
        self.directory = directory or contacts.Directory(
            runtime.settings, {"registration": config.registration_url,
                               "sessions": config.sessions_url})
        self.organizer = parseaddr(config.mail_from)[1]
        self._ready: queue.Queue[dict] = queue.Queue(maxsize=10000)
        # Retries this worker scheduled, (due, id, candidate): offered again when due, so the
        # look-up of the whole collection can be rare. Beyond the cap the look-up finds them.
        self._retries: list[tuple[datetime, str, dict]] = []
        self._retries_lock = threading.Lock()

    def offer(self, notification: dict) -> None:
        """A notification this worker just created: send it now if it is due, without waiting
        for the next look-up (which still finds it if the queue is full or the worker dies)."""
        if notification.get("status") == "pending" and notification["due_at"] <= self.clock():
            self._enqueue(notification)

    def _enqueue(self, candidate: dict) -> bool:
        try:
            self._ready.put_nowait(candidate)
            return True
        except queue.Full:
            return False

    def look_up(self) -> int:
        """Queue what is due (reminders, what a crash or a full queue left) for the sending
        threads, one look-up for up to LOOK_UP_BATCH; returns how many were queued."""
        return sum(self._enqueue(c) for c in claims.due(
            self.runtime, self.clock(), limit=self.LOOK_UP_BATCH, settle_s=self.SETTLE_S))

    def run_ready(self, stop: threading.Event) -> None:
        """A sending thread: claim and deliver what was offered, until stopped."""
        while not stop.is_set():
            try:
                candidate = self._ready.get(timeout=0.5)
            except queue.Empty:
                continue
            try:
                claimed = claims.take(self.runtime, candidate, self.clock(),
                                      self.config.lease_s)
                if claimed is not None:
                    self._deliver_safely(claimed)
            except PyMongoError as exc:  # left for the look-up once the database is back
                log.warning("sender: database unavailable", extra={"error": repr(exc)})
            except Exception:
                log.exception("sender failed; the look-up will retry")

    def claim(self) -> dict | None:
        """Take one due notification (or one whose lease ran out) for this worker alone."""
        return next(self._claims(), None)

    def _claims(self, stop: threading.Event | None = None):
        """Claim, one at a time, the notifications of one look-up of what is due.

        The look-up is the expensive part (on FerretDB it reads the whole collection), so one
        look-up serves a batch rather than one message.
        """
        for candidate in claims.due(self.runtime, self.clock()):
            if stop and stop.is_set():
                return
            claimed = claims.take(self.runtime, candidate, self.clock(), self.config.lease_s)
            if claimed is not None:
                yield claimed

    def run_once(self, stop: threading.Event | None = None) -> int:
        """Send everything due now (until stopped); returns how many were handled."""
        handled = 0
        while not (stop and stop.is_set()):
            before = handled
            for claimed in self._claims(stop):
                self._deliver_safely(claimed)
                handled += 1
            if handled == before:
                return handled
        return handled

    def _deliver_safely(self, claimed: dict) -> None:
        try:
            self.deliver(claimed)
        except PyMongoError:
            raise  # the lease runs out and another round picks it up
        except Exception as exc:  # e.g. a broken template: a failed try, not a stuck one
            log.exception("notification could not be delivered",
                          extra={"notification_id": claimed["_id"]})
            self._attempted(claimed, Result(False, f"{type(exc).__name__}: {exc}"[:300]))

    def run(self, stop: threading.Event) -> None:
        """The worker's background task: offer retries as they fall due, and look up what is
        due every `sender_interval_s`, and again at once if it found a full batch (a backlog
        after an outage), each time only once the sending threads' queue is short."""
        next_look_up, full = 0.0, False
        while not stop.is_set():
            # Never while the sending threads still have a queue: what is in it is being
            # sent, and each look-up reads the whole collection on FerretDB.
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

    def offer_due_retries(self) -> int:
        """Hand the retries that are due to the sending threads; returns how many."""
        now, due = self.clock(), []
        with self._retries_lock:
            while self._retries and self._retries[0][0] <= now:
                due.append(heapq.heappop(self._retries)[2])
        for candidate in due:
            self.offer(candidate)
        return len(due)

    def _retry_later(self, notification: dict, retry_at: datetime) -> None:
        candidate = {**notification, "status": "pending", "due_at": retry_at,
                     "generation": notification.get("generation", 0) + 1}
        with self._retries_lock:
            if len(self._retries) < self.RETRIES_KEPT:
                heapq.heappush(self._retries, (retry_at, notification["_id"], candidate))

    def deliver(self, notification: dict) -> None:
        """Send one claimed notification, or record why it is skipped or must wait."""
        recipient = recipients.get(self.runtime, notification["recipient_id"])
        if recipient is None:
            # Her registration event is on another partition and not consumed yet (seen after
            # a broker outage): try again later, bounded, rather than skip her for good.
            return self._attempted(notification, Result(False, "recipient not known yet"))
        if recipient.get("contact_fetched") is False:
            try:
                contact = self.directory.fetch(recipient["role"], recipient["_id"])
            except contacts.ContactGoneError:
                recipients.erase(self.runtime, None, recipient["_id"])
                return self._finish(notification, "skipped", "recipient erased")
            except contacts.ContactUnknownError:
                # Her registration event was consumed, so her owner knows her: a 404 is an
                # owner not upgraded yet (no contact endpoint) or a wrong URL. Wait, visibly.
                return self._wait(notification, "contact unknown to her owner (yet)")
            except contacts.ContactUnavailableError as exc:
                return self._wait(notification, f"contact not available yet ({exc})")
            recipient = recipients.store_contact(self.runtime, recipient, contact)
            if recipient is None:
                return self._finish(notification, "skipped", "recipient erased")
        if recipient.get("erased"):
            return self._finish(notification, "skipped", "recipient erased")
        channel = self.channels.get(notification["channel"])
        reason = skip_reason(recipient, channel, notification)
        if reason:
            return self._finish(notification, "skipped", reason)
        address = recipient[channel.address_field]
        session = None
        if notification.get("session_id"):
            session = sessions.get(self.runtime, notification["session_id"])
            if session is None:  # its event has not arrived yet: try again later, bounded
                return self._attempted(notification, Result(False, "session not known yet"))
        certificate = None
        if notification["kind"] == N.CERTIFICATE_ISSUED:  # rendered now, from the projections
            certificate = certificates.document(
                self.runtime, notification["context"]["certificate_id"], recipient)
            if certificate is None:
                return self._attempted(notification, Result(False, "course not known yet"))
            if certificate["status"] != "issued":
                return self._finish(notification, "skipped", "certificate revoked")
        now = self.clock()
        message, rendered = composing.compose(notification, recipient, session, address,
                                              self.organizer, now, certificate)
        result = channel.send(message)
        self._attempted(notification, result, subject=rendered.subject,
                        language=rendered.language)

    def _attempted(self, notification: dict, result: Result, **rendered) -> None:
        now = self.clock()
        tries = notification.get("tries", 0) + 1
        attempt = {"at": now, "ok": result.ok, "error": result.error,
                   "channel": notification["channel"]}
        update = {"$push": {"attempts": attempt}, "$inc": {"tries": 1}}
        status, retry_at = after_attempt(result.ok, tries, self.config, now)
        if status == "sent":
            update["$set"] = {"status": "sent", "sent_at": now, "status_reason": None,
                              **rendered}
            published = [self._event(notification, SENT, {})]
        elif status == "failed":
            update["$set"] = {"status": "failed", "status_reason": result.error,
                              "finished_at": now}
            published = [self._event(notification, FAILED,
                                     {"reason": result.error,
                                      "attempts": len(notification.get("attempts", [])) + 1})]
        else:
            update["$set"] = {"status": "pending", "status_reason": result.error,
                              "due_at": retry_at}
            update["$inc"]["generation"] = 1  # a new round: claimable again
            published = []
        if self._write(notification, update, published) and status == "pending":
            self._retry_later(notification, retry_at)
        log.info("notification attempt", extra={"notification_id": notification["_id"],
                                                 "kind": notification["kind"],
                                                 "ok": result.ok, "tries": tries})

    def _wait(self, notification: dict, reason: str) -> None:
        """Pending again after a backoff, without using up a try: an outage of the contact's
        owner delays a notice, however long it lasts, and never fails or skips it."""
        waits = notification.get("waits", 0) + 1
        retry_at = self.clock() + timedelta(seconds=backoff_delay(
            waits, self.config.backoff_s, self.config.backoff_cap_s))
        update = {"$set": {"status": "pending", "status_reason": reason, "due_at": retry_at},
                  "$inc": {"waits": 1, "generation": 1}}
        if self._write(notification, update, []):
            self._retry_later({**notification, "waits": waits}, retry_at)
        log.info("notification waits for a contact", extra={"notification_id": notification["_id"],
                                                             "waits": waits})

    def _finish(self, notification: dict, status: str, reason: str) -> None:
        self._write(notification, {"$set": {"status": status, "status_reason": reason,
                                            "finished_at": self.clock()}}, [])

    def _write(self, notification: dict, update: dict, published: list) -> bool:
        # Only while the claim is still ours: a worker whose lease expired cannot overwrite the
        # work of the one that reclaimed it. Read and written by `_id` alone (see `claims`).
        # Within the first half of the lease nobody else can hold it (only a dead holder's
        # claim is taken early, and the dead write nothing): no need to look.
        update.setdefault("$unset", {})["claimed_until"] = ""
        half = timedelta(seconds=self.config.lease_s / 2)
        ours = notification["claimed_until"] - half > self.clock()
        if not ours:
            current = self.runtime.db[COLLECTION].find_one({"_id": notification["_id"]},
                                                             {"claim_token": 1})
            ours = current is not None and current.get("claim_token") == notification[
                "claim_token"]
        written = self.runtime.update(COLLECTION, {"_id": notification["_id"]}, update,
                                      published) if ours else None
        if written is None:
            log.warning("lost the claim on a notification",
                        extra={"notification_id": notification["_id"]})
        return written is not None

    def _event(self, notification: dict, type_: str, extra: dict):
        data = {"notification_id": notification["_id"],
                "recipient_id": notification["recipient_id"], "kind": notification["kind"],
                "channel": notification["channel"],
                "cause_event_id": notification["cause_event_id"],
                "session_id": notification.get("session_id"), **extra}
        return new_event(type_, notification["_id"], events.SCHEMAS[type_].dump(data),
                         self.runtime.settings.service, notification.get("correlationid"),
                         causationid=notification["cause_event_id"])
