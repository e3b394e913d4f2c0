"""Delivering a claimed batch: gather what each message needs, send it, say what became of it.

Nothing is written here but a recipient's contact (asked of her owner when needed): the
outcomes are written together by `stores.delivery_store`.
"""

import logging
from collections.abc import Callable
from datetime import datetime
from email.utils import parseaddr

from pymongo.errors import PyMongoError

from common.config import NotificationSettings
from common.envelope import new_event
from common.runtime import Runtime
from services.notifications import composing, events
from services.notifications import directory as contacts
from services.notifications.channels.base import Channel, Result
from services.notifications.domain import delivery_rules as rules
from services.notifications.domain import notification_rules
from services.notifications.stores import certificate_store as certificates
from services.notifications.stores import recipient_store as recipients
from services.notifications.stores import session_projection_store as sessions
from services.notifications.stores.delivery_store import Outcome

log = logging.getLogger(__name__)
N = notification_rules
SENT, FAILED = events.NOTIFICATION_SENT, events.NOTIFICATION_FAILED


class Delivery:
    def __init__(self, runtime: Runtime, channels: dict[str, Channel],
                 config: NotificationSettings, clock: Callable[[], datetime],
                 directory: contacts.Directory):
        self.runtime, self.channels, self.config, self.clock = runtime, channels, config, clock
        self.directory = directory
        self.organizer = parseaddr(config.mail_from)[1]

    def deliver_all(self, claimed: list[dict],
                    stopping: Callable[[], bool] = lambda: False) -> list[Outcome]:
        """Send each claimed notification (or decide why not), in order, until ``stopping``
        says the worker stops: the outcomes of those it got to (the first ones; the others
        are the caller's to hand back). The recipients and sessions of the batch are read
        once each."""
        known: dict[tuple[str, str], dict | None] = {}
        outcomes = []
        for notification in claimed:
            if stopping():
                break
            try:
                outcomes.append(self.deliver(notification, known))
            except Exception as exc:  # e.g. a broken template: a failed try, not a stuck one
                if _database_error(exc):
                    raise  # the leases run out and a later round picks them up
                log.exception("notification could not be delivered",
                              extra={"notification_id": notification["_id"]})
                outcomes.append(self.attempted(
                    notification, Result(False, f"{type(exc).__name__}: {exc}"[:300])))
        return outcomes

    def deliver(self, notification: dict, known: dict | None = None) -> Outcome:
        """Send one claimed notification, or say why it is skipped or must wait."""
        known = {} if known is None else known
        recipient = self._recipient(notification, known)
        if isinstance(recipient, Outcome):
            return recipient
        channel = self.channels.get(notification["channel"])
        reason = rules.skip_reason(recipient, channel, notification)
        if reason:
            return self.finished(notification, "skipped", reason)
        session = None
        if notification.get("session_id"):
            session = self._read(known, "session", notification["session_id"], sessions.get)
            if session is None:  # its event has not arrived yet: try again later, bounded
                return self.attempted(notification, Result(False, "session not known yet"))
        certificate = None
        if notification["kind"] == N.CERTIFICATE_ISSUED:  # rendered now, from the projections
            certificate = certificates.document(
                self.runtime, notification["context"]["certificate_id"], recipient)
            if certificate is None:
                return self.attempted(notification, Result(False, "course not known yet"))
            if certificate["status"] != "issued":
                return self.finished(notification, "skipped", "certificate revoked")
        message, rendered = composing.compose(
            notification, recipient, session, recipient[channel.address_field],
            self.organizer, self.clock(), certificate)
        return self.attempted(notification, channel.send(message), subject=rendered.subject,
                              language=rendered.language)

    def _recipient(self, notification: dict, known: dict) -> dict | Outcome:
        """The recipient with her contact (asked of her owner if not kept), or the outcome
        when there is none to send to yet or ever."""
        recipient_id = notification["recipient_id"]
        recipient = self._read(known, "recipient", recipient_id, recipients.kept)
        if recipient is None:
            # Her registration event is on another partition and not consumed yet (seen after
            # a broker outage): try again later, bounded, rather than skip her for good.
            return self.attempted(notification, Result(False, "recipient not known yet"))
        if recipient.get("contact_fetched") is False:
            try:
                contact = self.directory.fetch(recipient["role"], recipient_id)
            except contacts.ContactGoneError:
                recipients.erase(self.runtime, None, recipient_id)
                known.pop(("recipient", recipient_id), None)
                return self.finished(notification, "skipped", "recipient erased")
            except contacts.ContactUnknownError:
                # Her registration event was consumed, so her owner knows her: a 404 is an
                # owner not upgraded yet (no contact endpoint) or a wrong URL. Wait, visibly.
                return self.waiting(notification, "contact unknown to her owner (yet)")
            except contacts.ContactUnavailableError as exc:
                return self.waiting(notification, f"contact not available yet ({exc})")
            recipient = known[("recipient", recipient_id)] = recipients.store_contact(
                self.runtime, recipient, contact)
        if recipient is None or recipient.get("erased"):
            return self.finished(notification, "skipped", "recipient erased")
        return recipient

    def _read(self, known: dict, kind: str, doc_id: str, read) -> dict | None:
        if (kind, doc_id) not in known:
            known[(kind, doc_id)] = read(self.runtime, doc_id)
        return known[(kind, doc_id)]

    def attempted(self, notification: dict, result: Result, **rendered) -> Outcome:
        """A try made (or impossible yet): sent, pending again after a backoff, or failed."""
        now = self.clock()
        tries = notification.get("tries", 0) + 1
        attempt = {"at": now, "ok": result.ok, "error": result.error,
                   "channel": notification["channel"]}
        update = {"$push": {"attempts": attempt}, "$inc": {"tries": 1}}
        decision = rules.decide(result.ok, tries, self.config, now)
        log.info("notification attempt", extra={"notification_id": notification["_id"],
                                                 "kind": notification["kind"],
                                                 "ok": result.ok, "tries": tries})
        if decision.status == rules.SENT:
            update["$set"] = {"status": "sent", "sent_at": now, "status_reason": None,
                              **rendered}
            return Outcome(notification, update, [self._event(notification, SENT, {})])
        if decision.status == rules.FAILED:
            update["$set"] = {"status": "failed", "status_reason": result.error,
                              "finished_at": now}
            return Outcome(notification, update, [self._event(
                notification, FAILED, {"reason": result.error,
                                       "attempts": len(notification.get("attempts", [])) + 1})])
        update["$set"] = {"status": "pending", "status_reason": result.error,
                          "due_at": decision.retry_at}
        update["$inc"]["generation"] = 1  # a new round: claimable again
        return self._again(notification, update, decision.retry_at)

    def waiting(self, notification: dict, reason: str) -> Outcome:
        """Pending again after a backoff, without using up a try: an outage of the contact's
        owner delays a notice, however long it lasts, and never fails or skips it."""
        waits = notification.get("waits", 0) + 1
        retry_at = rules.wait_until(waits, self.config, self.clock())
        update = {"$set": {"status": "pending", "status_reason": reason, "due_at": retry_at},
                  "$inc": {"waits": 1, "generation": 1}}
        log.info("notification waits for a contact",
                 extra={"notification_id": notification["_id"], "waits": waits})
        return self._again({**notification, "waits": waits}, update, retry_at)

    def finished(self, notification: dict, status: str, reason: str) -> Outcome:
        return Outcome(notification, {"$set": {"status": status, "status_reason": reason,
                                               "finished_at": self.clock()}})

    @staticmethod
    def _again(notification: dict, update: dict, retry_at: datetime) -> Outcome:
        """Pending again; the candidate offered when due is the notification as written, so
        its next try counts this one."""
        candidate = {**notification, "status": "pending", "due_at": retry_at,
                     "generation": notification.get("generation", 0) + 1}
        if "attempts" in update.get("$push", {}):
            candidate["tries"] = notification.get("tries", 0) + 1
            candidate["attempts"] = [*notification.get("attempts", []),
                                     update["$push"]["attempts"]]
        return Outcome(notification, update, retry=candidate, retry_at=retry_at)

    def _event(self, notification: dict, type_: str, extra: dict):
        data = {"notification_id": notification["_id"],
                "recipient_id": notification["recipient_id"], "kind": notification["kind"],
                "channel": notification["channel"],
                "cause_event_id": notification["cause_event_id"],
                "session_id": notification.get("session_id"), **extra}
        return new_event(type_, notification["_id"], events.SCHEMAS[type_].dump(data),
                         self.runtime.settings.service, notification.get("correlationid"),
                         causationid=notification["cause_event_id"])


def _database_error(exc: Exception) -> bool:
    return isinstance(exc, PyMongoError)
