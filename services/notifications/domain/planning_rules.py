"""What is sent for which event: the notifications (and reminders) each consumed event causes.

Pure: the caller reads the session, the enrollments and the clock, and stores what comes back.
"""

from datetime import datetime, timedelta

from common.envelope import Event
from services.notifications.domain import notification_rules as kinds
from services.notifications.domain import reminder_rules

SESSION_CANCELLED_EVENT = "sessions.session.cancelled"
ACTIVE = ("confirmed", "promoted")
# Enrollment event type -> (the status projected, the notice sent, whether it ends reminders).
# Registration cancels an enrollment only because its session was cancelled: the officer is told
# that the session is cancelled (`session_cancelled`), once, not that her enrollment was.
ENROLLMENT_NOTICES = {
    "registration.enrollment.confirmed": ("confirmed", kinds.ENROLLMENT_CONFIRMED, False),
    "registration.enrollment.promoted": ("promoted", kinds.ENROLLMENT_PROMOTED, False),
    "registration.enrollment.waitlisted": ("waitlisted", kinds.ENROLLMENT_WAITLISTED, False),
    "registration.enrollment.withdrawn": ("withdrawn", kinds.ENROLLMENT_WITHDRAWN, True),
    "registration.enrollment.cancelled": ("cancelled", kinds.SESSION_CANCELLED, True),
}


def enrolled(changes: list[dict]) -> list[str]:
    """The participants whose enrollment is active after these changes (oldest first), each
    once: the last change of each enrollment counts."""
    latest = {change["enrollment_id"]: change for change in changes}
    return sorted({c["participant_id"] for c in latest.values() if c["status"] in ACTIVE})


def enrollment_status(event_type: str) -> str:
    return ENROLLMENT_NOTICES[event_type][0]


def ends_reminders(event_type: str) -> bool:
    """A withdrawal or cancellation: her waiting reminders of the session go."""
    return ENROLLMENT_NOTICES[event_type][2]


def enrollment_notices(event: Event, payload: dict, session: dict | None,
                       offsets: tuple[timedelta, ...], now: datetime) -> list[dict]:
    """Tell the participant; confirmed or promoted also gets her reminders."""
    status, kind, _ = ENROLLMENT_NOTICES[event.type]
    participant_id, session_id = payload["participant_id"], payload["session_id"]
    context = {"position": payload.get("position"), "reason": payload.get("reason")}
    cause = event
    if kind == kinds.SESSION_CANCELLED:
        cause = session_cancellation(event, session_id)
        context["sequence"] = (session or {}).get("sequence", 0) + 1
    documents = [kinds.document(cause, participant_id, kind, session_id=session_id,
                                context=context, now=now)]
    if status in ACTIVE:
        documents += reminder_rules.planned(event, participant_id, session_id, session,
                                            offsets, now)
    return documents


def session_cancellation(event: Event, session_id: str) -> Event:
    """The session's cancellation, which caused this enrollment's (its `causationid`).

    Both that event (for those projected as enrolled) and each enrollment's cancellation (for
    everyone registration had enrolled, waiting list included) record the officer's notice; under
    the one cause the unique index keeps one, whichever event arrives first.
    """
    return Event(type=SESSION_CANCELLED_EVENT, subject=session_id, data={}, source="sessions",
                 correlationid=event.correlationid, id=event.causationid or event.id)


def audience(enrolled: list[str], session: dict) -> list[str]:
    """Everyone enrolled in a session, and its facilitators, each once."""
    facilitators = [f for f in session.get("facilitator_ids") or [] if f not in set(enrolled)]
    return list(enrolled) + facilitators


def invitations(event: Event, session: dict, cohort: list[str], now: datetime) -> list[dict]:
    """A new session of a series invites everyone confirmed in the series."""
    return [kinds.document(event, participant_id, kinds.SESSION_INVITATION,
                           session_id=session["_id"], now=now) for participant_id in cohort]


def reschedule_notices(event: Event, payload: dict, session: dict, audience_ids: list[str],
                       now: datetime) -> list[dict]:
    """Everyone taking part is told the old and the new dates."""
    context = {"previous_starts_at": payload["previous_starts_at"],
               "previous_ends_at": payload["previous_ends_at"],
               "sequence": session.get("sequence", 0)}
    return [kinds.document(event, recipient_id, kinds.SESSION_RESCHEDULED,
                           session_id=session["_id"], context=context, now=now)
            for recipient_id in audience_ids]


def cancellation_notices(event: Event, payload: dict, session: dict, audience_ids: list[str],
                         now: datetime) -> list[dict]:
    """Everyone taking part is told the session is cancelled, and why."""
    context = {"reason": payload.get("reason"), "sequence": session.get("sequence", 0) + 1}
    return [kinds.document(event, recipient_id, kinds.SESSION_CANCELLED,
                           session_id=session["_id"], context=context, now=now)
            for recipient_id in audience_ids]


def feedback_requests(event: Event, session: dict, participants: list[str],
                      now: datetime) -> list[dict]:
    """Each participant of a completed session is asked for feedback."""
    return [kinds.document(event, participant_id, kinds.FEEDBACK_REQUESTED,
                           session_id=session["_id"], now=now) for participant_id in participants]


def facilitator_notices(event: Event, payload: dict, session: dict | None,
                        offsets: tuple[timedelta, ...], now: datetime) -> list[dict]:
    """The facilitator is told, and reminded before the session as the participants are."""
    facilitator_id, session_id = payload["facilitator_id"], payload["session_id"]
    return [kinds.document(event, facilitator_id, kinds.FACILITATOR_ASSIGNED,
                           session_id=session_id, context={"role": payload.get("role")},
                           now=now),
            *reminder_rules.planned(event, facilitator_id, session_id, session, offsets, now)]


def certificate_notice(event: Event, payload: dict, now: datetime) -> dict:
    """The holder is told; the PDF is rendered when the email is sent."""
    return kinds.document(event, payload["participant_id"], kinds.CERTIFICATE_ISSUED,
                          context={"certificate_id": payload["certificate_id"]}, now=now)


def acknowledgement(event: Event, payload: dict, now: datetime) -> dict:
    """A newly registered officer is told she is registered."""
    return kinds.document(event, payload["participant_id"], kinds.REGISTRATION_ACKNOWLEDGED,
                          now=now)
