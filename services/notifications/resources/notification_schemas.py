"""HTTP bodies of the activity feed."""

from marshmallow import Schema, fields, validate

from common.schemas import Out, Query
from services.notifications.domain.notification_rules import STATUSES


class NotificationQuery(Query):
    recipient_id = fields.String(validate=validate.Length(max=64))
    session_id = fields.String(validate=validate.Length(max=64))
    status = fields.String(validate=validate.OneOf(STATUSES))
    kind = fields.String(validate=validate.Length(max=64))
    channel = fields.String(validate=validate.Length(max=32))


class SummaryQuery(Query):
    newest = fields.Integer(load_default=500, validate=validate.Range(min=1, max=2000),
                            metadata={"description": "how many of the newest to look through"})


class SummaryOut(Schema):
    statuses = fields.Dict(keys=fields.String(), values=fields.Integer())
    looked_through = fields.Integer()
    notifications = fields.Integer(metadata={"description": "how many there are in all"})
    complete = fields.Boolean(metadata={"description": "every notification was looked through"})


class AttemptOut(Schema):
    at = fields.AwareDateTime()
    ok = fields.Boolean()
    error = fields.String(allow_none=True)
    channel = fields.String()


class NotificationOut(Out):
    """One notification in the feed: no address, no message body."""

    recipient_id = fields.String()
    session_id = fields.String(allow_none=True)
    kind = fields.String()
    template = fields.String()
    channel = fields.String()
    status = fields.String()
    status_reason = fields.String(allow_none=True)
    due_at = fields.AwareDateTime(allow_none=True)
    sent_at = fields.AwareDateTime(allow_none=True)
    subject = fields.String(allow_none=True)
    language = fields.String(allow_none=True)
    attempts = fields.List(fields.Nested(AttemptOut))
    cause_event_id = fields.String()
    cause_type = fields.String()
    correlationid = fields.String()
    created_at = fields.AwareDateTime()
