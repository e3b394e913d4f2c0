"""A notification turned into a message: rendered templates, a calendar entry if it needs one."""

from datetime import datetime

from services.notifications import certificate_pdf, icalendar, rendering
from services.notifications.channels.base import Attachment, Message
from services.notifications.domain import notification_rules as notifications

N = notifications
CALENDAR_METHODS = {N.ENROLLMENT_CONFIRMED: "REQUEST", N.ENROLLMENT_PROMOTED: "REQUEST",
                    N.SESSION_INVITATION: "REQUEST", N.SESSION_RESCHEDULED: "REQUEST",
                    N.SESSION_CANCELLED: "CANCEL"}
MESSAGE_ID_DOMAIN = "notifications.glo-act.example"


def message_id(notification_id: str) -> str:
    return f"<{notification_id}@{MESSAGE_ID_DOMAIN}>"


def compose(notification: dict, recipient: dict, session: dict | None, address: str,
            organizer: str, now: datetime,
            certificate: dict | None = None) -> tuple[Message, rendering.Rendered]:
    """``certificate``: what `certificates.document` gathered, rendered and attached as a PDF."""
    context = rendering.context_for(notification, recipient, session)
    if certificate is not None:
        context["certificate"] = certificate
    rendered = rendering.render(notification["template"], recipient.get("language") or "en",
                                context)
    attachments = ()
    method = CALENDAR_METHODS.get(notification["template"])
    if method and session:
        sequence = (notification.get("context") or {}).get("sequence",
                                                            session.get("sequence", 0))
        calendar = icalendar.session_event(session, method, sequence, organizer, now)
        # MIME text without a charset is US-ASCII; the calendar is UTF-8 (RFC 5545 3.1.4).
        attachments = (Attachment("session.ics", f"text/calendar; charset=utf-8; method={method}",
                                  calendar.encode()),)
    if certificate is not None:
        attachments += (Attachment(f"certificate-{certificate['code']}.pdf", "application/pdf",
                                   certificate_pdf.render(certificate)),)
    message = Message(to=address, subject=rendered.subject, text=rendered.text,
                      html=rendered.html, message_id=message_id(notification["_id"]),
                      attachments=attachments,
                      headers={"X-Notification-Kind": notification["kind"]})
    return message, rendered
