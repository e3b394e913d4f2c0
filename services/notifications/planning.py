"""The worker's planning: read the projections, ask `planning_rules`, store what they decide."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from common.envelope import Event
from common.persistence import by_id
from common.runtime import Runtime
from services.notifications.domain import planning_rules as rules
from services.notifications.domain.notification_rules import (
    CERTIFICATE_ISSUED,
    SESSION_CANCELLED,
)
from services.notifications.stores import (
    certificate_store,
    enrollment_store,
    notification_store,
    recipient_store,
    reminder_store,
)
from services.notifications.stores import session_projection_store as sessions


class Planner:
    """Turns each consumed event into stored notifications, handed to ``on_created``.

    The streams a batch of events appends to (rosters, the feed, due hours) are appended once
    for the whole batch by `flush` (the registry runs it after the batch's handlers), and
    before any handler reads them; so are the batch's enrollments written, read together by
    `prepare` before its handlers.
    """

    def __init__(self, runtime: Runtime, offsets: tuple[timedelta, ...],
                 clock: Callable[[], datetime],
                 on_created: notification_store.OnCreated | None = None,
                 claim_at_birth: Callable[[list[dict]], list[dict]] | None = None):
        self.runtime, self.offsets, self.clock = runtime, offsets, clock
        self.on_created = on_created
        # The worker's sender claims what is due now in the notifications' own insert (see
        # `send_queue.SendQueue.claim_at_birth`): no claim, check or lease write of its own.
        self.claim_at_birth = claim_at_birth
        self.rosters = enrollment_store.HeldRosters()
        self.participants = recipient_store.HeldParticipants()
        self.enrollments = enrollment_store.HeldEnrollments()
        self.unnumbered = notification_store.Unnumbered()
        self.held: list[dict] = []
        # Sessions read by this batch's handlers: a batch comes from one partition of one
        # topic, and only `sessions.events` handlers write sessions (they forget them first).
        self.sessions: dict[str, dict | None] = {}

    def prepare(self, events: list[Event]) -> None:
        """Read the batch's enrollments, and the sessions their notices show, side by side
        before its handlers decide on them (a session handler forgets the sessions read)."""
        decisions = [event.data for event in events if event.type in rules.ENROLLMENT_NOTICES
                     and isinstance(event.data, dict)]
        self.enrollments.read(self.runtime, [d["enrollment_id"] for d in decisions
                                             if isinstance(d.get("enrollment_id"), str)])
        unread = [i for i in dict.fromkeys(d.get("session_id") for d in decisions)
                  if isinstance(i, str) and i not in self.sessions]
        self.sessions.update(by_id.side_by_side(
            lambda session_id: sessions.get(self.runtime, session_id), unread))

    def drop(self) -> None:
        """The batch failed as a whole: what it held and read is dropped (its events come
        again, maybe to another worker, which decides on them and on what follows them; written
        by this one later, an older decision or projection would overwrite the newer)."""
        self.participants.drop()
        self.enrollments.drop()
        self.held = []
        self.rosters.drop()
        self.unnumbered.drop()
        self.sessions = {}

    def finish(self) -> None:
        """The batch's flush; then what was read for it is forgotten (not what is unwritten)."""
        self.flush()
        self.enrollments.forget()

    def flush(self) -> None:
        """Write the participants the batch projected (one bulk write: the sender reads them
        for the notifications about to be handed to it) and its enrollment decisions, insert
        the notifications the batch's handlers held back (one insert), then append what they
        held back to their streams.

        Each is let go only once written: a handler that flushes first and fails (a database
        error) is retried by the dispatcher, then the batch is recorded as handled, so what a
        failed write let go would never be stored. Written again, a notification is refused
        as a repeat (and numbered if it was not), a roster change appended twice is harmless.
        """
        self.participants.write(self.runtime)
        self.enrollments.write(self.runtime)  # what the notices and rosters follow from
        if self.held:
            held = self.held
            if self.claim_at_birth is not None:
                held = self.claim_at_birth(held)
            notification_store.create_many(self.runtime, held, self.on_created,
                                           self.unnumbered)
            self.held = []
        self.rosters.append(self.runtime)
        self.unnumbered.number(self.runtime)
        self.sessions = {}

    def _store(self, documents: list[dict]) -> None:
        """Held until `flush`: every handler that reads notifications flushes first."""
        self.held += documents

    def _session(self, session_id: str) -> dict | None:
        if session_id not in self.sessions:
            self.sessions[session_id] = sessions.get(self.runtime, session_id)
        return self.sessions[session_id]

    def participant_registered(self, event: Event, payload: dict) -> None:
        """Her recipient, written with the batch's; her acknowledgement, unless she was
        registered for the record (`acknowledge: false`; older events lack it: true)."""
        self.participants.hold(event, payload)
        if payload["acknowledge"]:
            self._store([rules.acknowledgement(event, payload, self.clock())])

    def participant_updated(self, event: Event, payload: dict) -> None:
        self.participants.hold(event, payload)

    def participant_erased(self, event: Event, payload: dict) -> None:
        self.flush()  # her projection held in this batch first; the feed is read below
        recipient_store.erase(self.runtime, event, payload["participant_id"])
        notification_store.cancel_waiting(self.runtime, "recipient_id", payload["participant_id"],
                                          "participant erased", self.clock())

    def enrollment_changed(self, event: Event, payload: dict) -> None:
        """Tell the participant; confirmed or promoted gets reminders, a withdrawal ends them."""
        status = rules.enrollment_status(event.type)
        if not enrollment_store.project(self.runtime, payload, status, self.rosters,
                                        _time(event), self.enrollments):
            return  # a later decision about this enrollment was already told
        participant_id, session_id = payload["participant_id"], payload["session_id"]
        if rules.ends_reminders(event.type):
            self.flush()  # they read the feed
            reminder_store.cancel(self.runtime, participant_id, session_id,
                                  f"enrollment {status}", self.clock())
        session = self._session(session_id)
        # The notice and its reminders: one insert for the batch.
        self._store(rules.enrollment_notices(event, payload, session, self.offsets,
                                             self.clock()))

    def session_scheduled(self, event: Event, payload: dict) -> None:
        """Project the session, time reminders waiting for it, invite the series' cohort."""
        self.sessions = {}
        now = self.clock()
        session = sessions.scheduled(self.runtime, payload)
        self.flush()  # they read the feed
        reminder_store.retime(self.runtime, session, now)
        if payload.get("series_id"):
            cohort = enrollment_store.confirmed_in_series(self.runtime, payload["series_id"])
            self._store(rules.invitations(event, session, cohort, now))

    def _audience(self, session: dict) -> list[str]:
        self.flush()  # it reads the rosters
        return rules.audience(enrollment_store.enrolled_in_session(self.runtime, session["_id"]),
                              session)

    def session_rescheduled(self, event: Event, payload: dict) -> None:
        """Tell everyone with the old and the new dates (first: it is what they wait for), then
        move the waiting reminders."""
        self.sessions = {}
        now = self.clock()
        session = sessions.rescheduled(self.runtime, payload, event.id)
        if session is None:
            return
        self._store(rules.reschedule_notices(event, payload, session, self._audience(session),
                                             now))
        self.flush()  # they read the feed
        reminder_store.retime(self.runtime, session, now)

    def session_cancelled(self, event: Event, payload: dict) -> None:
        """Cancel everything still waiting for the session, then tell everyone why."""
        self.sessions = {}
        session = sessions.status_changed(self.runtime, payload["session_id"], "cancelled",
                                          payload.get("reason"))
        if session is not None:
            self._store(rules.cancellation_notices(event, payload, session,
                                                   self._audience(session), self.clock()))
        # Not the cancellation notices themselves: an enrollment's cancellation may have come
        # first.
        self.flush()  # they read the feed
        notification_store.cancel_waiting(self.runtime, "session_id", payload["session_id"],
                                          "session cancelled", self.clock(),
                                          lambda n: n["kind"] != SESSION_CANCELLED)

    def session_started(self, event: Event, payload: dict) -> None:
        self.sessions = {}
        sessions.status_changed(self.runtime, payload["session_id"], "started")

    def session_completed(self, event: Event, payload: dict) -> None:
        """Ask each participant for feedback."""
        self.sessions = {}
        session = sessions.status_changed(self.runtime, payload["session_id"], "completed")
        if session is None:
            return
        self.flush()  # it reads the rosters
        participants = enrollment_store.enrolled_in_session(self.runtime, session["_id"])
        self._store(rules.feedback_requests(event, session, participants, self.clock()))

    def facilitator_assigned(self, event: Event, payload: dict) -> None:
        """Tell the facilitator, and remind her before the session as the participants are."""
        self.sessions = {}
        recipient_store.project_facilitator(self.runtime, event, payload)
        session_id = payload["session_id"]
        sessions.facilitator_assigned(self.runtime, session_id, payload["facilitator_id"])
        self._store(rules.facilitator_notices(event, payload,
                                              sessions.get(self.runtime, session_id),
                                              self.offsets, self.clock()))

    def facilitator_removed(self, event: Event, payload: dict) -> None:
        """No longer on the session: no more reminders of it, nor its later notices."""
        self.sessions = {}
        sessions.facilitator_removed(self.runtime, payload["session_id"],
                                     payload["facilitator_id"])
        self.flush()  # they read the feed
        reminder_store.cancel(self.runtime, payload["facilitator_id"], payload["session_id"],
                              "facilitator removed", self.clock())

    def certificate_issued(self, event: Event, payload: dict) -> None:
        """Keep the certificate and tell its holder, with the PDF attached when it is sent."""
        certificate_store.issued(self.runtime, payload)
        self._store([rules.certificate_notice(event, payload, self.clock())])

    def certificate_revoked(self, event: Event, payload: dict) -> None:
        """A revoked certificate is no longer sent, if its email is still waiting."""
        certificate_id = payload["certificate_id"]
        certificate = certificate_store.revoked(self.runtime, certificate_id)
        if certificate is None:
            return  # never issued here: no email of it waits
        self.flush()  # they read the feed
        notification_store.cancel_waiting(
            self.runtime, "recipient_id", certificate["participant_id"], "certificate revoked",
            self.clock(), lambda n: n["kind"] == CERTIFICATE_ISSUED
            and n.get("context", {}).get("certificate_id", certificate_id) == certificate_id)


def _time(event: Event) -> datetime | None:
    """When the event says it happened, or None if it cannot say."""
    moment = event.time
    if not isinstance(moment, datetime):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
