"""What is sent for which event: the notifications (and reminders) each consumed event causes."""

from datetime import datetime, timedelta

from common.envelope import Event
from common.runtime import Runtime
from services.notifications import enrollments, notifications, reminders
from services.notifications import session_projection as sessions

N = notifications

SESSION_CANCELLED = "sessions.session.cancelled"
# Enrollment event type -> (the status projected, the notice sent, whether it ends reminders).
# Registration cancels an enrollment only because its session was cancelled: the officer is told
# that the session is cancelled (`session_cancelled`), once, not that her enrollment was.
ENROLLMENT_NOTICES = {
    "registration.enrollment.confirmed": ("confirmed", N.ENROLLMENT_CONFIRMED, False),
    "registration.enrollment.promoted": ("promoted", N.ENROLLMENT_PROMOTED, False),
    "registration.enrollment.waitlisted": ("waitlisted", N.ENROLLMENT_WAITLISTED, False),
    "registration.enrollment.withdrawn": ("withdrawn", N.ENROLLMENT_WITHDRAWN, True),
    "registration.enrollment.cancelled": ("cancelled", N.SESSION_CANCELLED, True),
}


def enrollment_changed(runtime: Runtime, event: Event, payload: dict,
                       offsets: tuple[timedelta, ...], now: datetime) -> None:
    """Tell the participant; confirmed or promoted gets reminders, a withdrawal ends them."""
    status, kind, ends_reminders = ENROLLMENT_NOTICES[event.type]
    if not enrollments.project(runtime, payload, status):
        return  # a later decision about this enrollment was already told
    participant_id, session_id = payload["participant_id"], payload["session_id"]
    if ends_reminders:
        reminders.cancel(runtime, {"recipient_id": participant_id, "session_id": session_id},
                         f"enrollment {status}")
    context = {"position": payload.get("position"), "reason": payload.get("reason")}
    cause = event
    if kind == N.SESSION_CANCELLED:
        cause = _session_cancellation(event, session_id)
        context["sequence"] = (sessions.get(runtime, session_id) or {}).get("sequence", 0) + 1
    documents = [N.document(cause, participant_id, kind, session_id=session_id,
                            context=context, now=now)]
    if status in enrollments.ACTIVE:
        documents += reminders.planned(event, participant_id, session_id,
                                       sessions.get(runtime, session_id), offsets, now)
    N.create_many(runtime, documents)  # the notice and its reminders: one insert


def _session_cancellation(event: Event, session_id: str) -> Event:
    """The session's cancellation, which caused this enrollment's (its `causationid`).

    Both that event (for those projected as enrolled) and each enrollment's cancellation (for
    everyone registration had enrolled, waiting list included) record the officer's notice; under
    the one cause the unique index keeps one, whichever event arrives first.
    """
    return Event(type=SESSION_CANCELLED, subject=session_id, data={}, source="sessions",
                 correlationid=event.correlationid, id=event.causationid or event.id)


def session_scheduled(runtime: Runtime, event: Event, payload: dict, now: datetime) -> None:
    """Project the session, time reminders waiting for it, invite the series' cohort."""
    session = sessions.scheduled(runtime, payload)
    reminders.retime(runtime, session, now)
    if payload.get("series_id"):
        for participant_id in enrollments.confirmed_in_series(runtime, payload["series_id"]):
            N.create(runtime, event, participant_id, N.SESSION_INVITATION,
                     session_id=session["_id"], now=now)


def _audience(runtime: Runtime, session: dict) -> list[str]:
    """Everyone enrolled in a session, and its facilitators."""
    return (enrollments.enrolled_in_session(runtime, session["_id"])
            + list(session.get("facilitator_ids") or []))


def session_rescheduled(runtime: Runtime, event: Event, payload: dict, now: datetime) -> None:
    """Move waiting reminders, then tell everyone with the old and the new dates."""
    session = sessions.rescheduled(runtime, payload, event.id)
    if session is None:
        return
    reminders.retime(runtime, session, now)
    context = {"previous_starts_at": payload["previous_starts_at"],
               "previous_ends_at": payload["previous_ends_at"],
               "sequence": session.get("sequence", 0)}
    for recipient_id in _audience(runtime, session):
        N.create(runtime, event, recipient_id, N.SESSION_RESCHEDULED, session_id=session["_id"],
                 context=context, now=now)


def session_cancelled(runtime: Runtime, event: Event, payload: dict, now: datetime) -> None:
    """Cancel everything still waiting for the session, then tell everyone why."""
    session = sessions.status_changed(runtime, payload["session_id"], "cancelled",
                                      payload.get("reason"))
    # Not the cancellation notices themselves: an enrollment's cancellation may have come first.
    N.cancel_waiting(runtime, {"session_id": payload["session_id"],
                               "kind": {"$ne": N.SESSION_CANCELLED}}, "session cancelled")
    if session is None:
        return
    context = {"reason": payload.get("reason"), "sequence": session.get("sequence", 0) + 1}
    for recipient_id in _audience(runtime, session):
        N.create(runtime, event, recipient_id, N.SESSION_CANCELLED, session_id=session["_id"],
                 context=context, now=now)


def session_started(runtime: Runtime, event: Event, payload: dict, now: datetime) -> None:
    sessions.status_changed(runtime, payload["session_id"], "started")


def session_completed(runtime: Runtime, event: Event, payload: dict, now: datetime) -> None:
    """Ask each participant for feedback."""
    session = sessions.status_changed(runtime, payload["session_id"], "completed")
    if session is None:
        return
    for participant_id in enrollments.enrolled_in_session(runtime, session["_id"]):
        N.create(runtime, event, participant_id, N.FEEDBACK_REQUESTED,
                 session_id=session["_id"], now=now)


def facilitator_assigned(runtime: Runtime, event: Event, payload: dict,
                         offsets: tuple[timedelta, ...], now: datetime) -> None:
    """Tell the facilitator, and remind her before the session as the participants are."""
    session_id, facilitator_id = payload["session_id"], payload["facilitator_id"]
    sessions.facilitator_assigned(runtime, session_id, facilitator_id)
    N.create_many(runtime, [
        N.document(event, facilitator_id, N.FACILITATOR_ASSIGNED, session_id=session_id,
                   context={"role": payload.get("role")}, now=now),
        *reminders.planned(event, facilitator_id, session_id, sessions.get(runtime, session_id),
                           offsets, now)])


def facilitator_removed(runtime: Runtime, event: Event, payload: dict, now: datetime) -> None:
    """No longer on the session: no more reminders of it, nor its later notices."""
    sessions.facilitator_removed(runtime, payload["session_id"], payload["facilitator_id"])
    reminders.cancel(runtime, {"recipient_id": payload["facilitator_id"],
                               "session_id": payload["session_id"]}, "facilitator removed")
