"""Events notifications publishes on `notifications.events`, each with its payload schema."""

from marshmallow import RAISE, Schema, fields

NOTIFICATION_SENT = "notifications.notification.sent"
NOTIFICATION_FAILED = "notifications.notification.failed"


class NotificationSent(Schema):
    """A message left on its channel (accepted by the SMTP server). No address, no content."""

    class Meta:
        unknown = RAISE

    notification_id = fields.String(required=True)
    recipient_id = fields.String(required=True)
    kind = fields.String(required=True)
    channel = fields.String(required=True)
    cause_event_id = fields.String(required=True)
    session_id = fields.String(required=True, allow_none=True)


class NotificationFailed(NotificationSent):
    """Every try failed; `reason` names the last error (never the address)."""

    reason = fields.String(required=True, allow_none=True)
    attempts = fields.Integer(required=True)


SCHEMAS = {NOTIFICATION_SENT: NotificationSent(), NOTIFICATION_FAILED: NotificationFailed()}
# Event type -> payload schema class, read by `common.asyncapi` for the catalogue.
PUBLISHED = {NOTIFICATION_SENT: NotificationSent, NOTIFICATION_FAILED: NotificationFailed}
