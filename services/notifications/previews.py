"""Template previews with sample data: what an officer would receive, without sending it."""

from datetime import UTC, datetime

from services.notifications import composing
from services.notifications.domain.errors import NotFoundError
from services.notifications.domain.notification_rules import TEMPLATES

SAMPLE_RECIPIENT = {"_id": "sample-recipient", "given_name": "Ayesha", "family_name": "Khan",
                    "email": "ayesha.khan@example.org", "role": "participant"}
SAMPLE_SESSION = {"_id": "sample-session", "title": "Coaching on investigative techniques, 2 of 3",
                  "starts_at": datetime(2021, 7, 20, 4, 0, tzinfo=UTC),
                  "ends_at": datetime(2021, 7, 21, 12, 0, tzinfo=UTC),
                  "timezone": "Asia/Karachi", "venue": "UNODC Country Office",
                  "city": "Islamabad", "country": "Pakistan", "status": "scheduled",
                  "sequence": 1}
SAMPLE_CONTEXT = {"previous_starts_at": datetime(2021, 7, 13, 4, 0, tzinfo=UTC),
                  "previous_ends_at": datetime(2021, 7, 14, 12, 0, tzinfo=UTC),
                  "position": 2, "reason": "Venue unavailable", "role": "coach"}


def preview(kind: str, language: str, organizer: str) -> dict:
    """Render ``kind`` in ``language`` (or its English fallback) with sample data."""
    if kind not in TEMPLATES:
        raise NotFoundError(f"no template {kind}; known: {', '.join(TEMPLATES)}")
    notification = {"_id": "preview", "kind": kind, "template": kind, "channel": "email",
                    "context": SAMPLE_CONTEXT}
    recipient = {**SAMPLE_RECIPIENT, "language": language}
    message, rendered = composing.compose(notification, recipient, SAMPLE_SESSION,
                                          recipient["email"], organizer, datetime.now(UTC))
    calendar = message.attachments[0].data.decode() if message.attachments else None
    return {"kind": kind, "language": rendered.language, "subject": rendered.subject,
            "text": rendered.text, "html": rendered.html, "calendar": calendar}
