"""What a notification is: its kinds, its statuses, and the document first stored for one."""

import uuid
from datetime import datetime

from services.notifications.domain.errors import IllegalTransitionError

REGISTRATION_ACKNOWLEDGED = "registration_acknowledged"
ENROLLMENT_CONFIRMED = "enrollment_confirmed"
ENROLLMENT_WAITLISTED = "enrollment_waitlisted"
ENROLLMENT_PROMOTED = "enrollment_promoted"
ENROLLMENT_WITHDRAWN = "enrollment_withdrawn"
ENROLLMENT_CANCELLED = "enrollment_cancelled"
SESSION_INVITATION = "session_invitation"
SESSION_RESCHEDULED = "session_rescheduled"
SESSION_CANCELLED = "session_cancelled"
SESSION_REMINDER = "session_reminder"
FACILITATOR_ASSIGNED = "facilitator_assigned"
FEEDBACK_REQUESTED = "feedback_requested"
CERTIFICATE_ISSUED = "certificate_issued"

TEMPLATES = (REGISTRATION_ACKNOWLEDGED, ENROLLMENT_CONFIRMED, ENROLLMENT_WAITLISTED,
             ENROLLMENT_PROMOTED, ENROLLMENT_WITHDRAWN, ENROLLMENT_CANCELLED,
             SESSION_INVITATION, SESSION_RESCHEDULED, SESSION_CANCELLED, SESSION_REMINDER,
             FACILITATOR_ASSIGNED, FEEDBACK_REQUESTED, CERTIFICATE_ISSUED)
# Officers must learn of these whatever they switched off.
CRITICAL = (SESSION_RESCHEDULED, SESSION_CANCELLED)

# pending: send when due; scheduled: a reminder waiting for its time; sending: claimed by a
# worker until `claimed_until`; the rest are final (a failed one can be resent).
STATUSES = ("pending", "scheduled", "sending", "sent", "failed", "skipped", "cancelled")
CLAIMABLE = ("pending", "scheduled")
# Ids derived from (cause, recipient, kind): a redelivered cause names the notification it made.
IDS = uuid.UUID("5d1c5f4e-7a43-4b6e-9a0c-2f1c6b1e0a13")


def document(cause, recipient_id: str, kind: str, *, now: datetime,
             session_id: str | None = None, template: str | None = None,
             due_at: datetime | None = None, status: str = "pending",
             context: dict | None = None, channel: str = "email", **extra) -> dict:
    """A notification as it is first stored; ``cause`` is the event that caused it."""
    return {"_id": notification_id(cause.id, recipient_id, kind), "cause_event_id": cause.id,
            "cause_type": cause.type,
            "recipient_id": recipient_id, "kind": kind, "template": template or kind,
            "channel": channel, "session_id": session_id, "status": status,
            "due_at": now if due_at is None and status == "pending" else due_at,
            "context": context or {}, "attempts": [], "tries": 0, "generation": 0,
            "correlationid": cause.correlationid, "created_at": now, **extra}


def notification_id(cause_id: str, recipient_id: str, kind: str) -> str:
    """The one id of the notification a cause makes for a recipient, of a kind."""
    return str(uuid.uuid5(IDS, f"{cause_id}|{recipient_id}|{kind}"))


def cancellable(notification: dict) -> bool:
    """Nobody has started sending it: it may still be cancelled."""
    return notification["status"] in CLAIMABLE


def resent(notification: dict, now: datetime) -> dict:
    """The update that queues a failed notification again with a fresh round of tries."""
    if notification["status"] != "failed":
        raise IllegalTransitionError(
            f"notification {notification['_id']} is {notification['status']}; "
            "only a failed notification can be resent")
    return {"$set": {"status": "pending", "due_at": now, "tries": 0, "status_reason": None},
            "$inc": {"generation": 1}}
