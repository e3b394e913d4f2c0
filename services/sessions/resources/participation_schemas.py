"""HTTP bodies for the roster, attendance and feedback."""

from marshmallow import Schema, fields, validate

from common.schemas import Strict
from services.sessions.domain.attendance_rules import STATUSES

ID = validate.Length(min=1, max=64)


class RosterEntryOut(Schema):
    """Pseudonymous: sessions never holds names."""

    participant_id = fields.String()
    gender = fields.String()
    agency = fields.String()
    status = fields.String()


class MarkIn(Strict):
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))


class BulkMark(Strict):
    participant_id = fields.String(required=True, validate=ID)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))


class DayIn(Strict):
    marks = fields.List(fields.Nested(BulkMark), required=True,
                        validate=validate.Length(min=1, max=1000))


class MarkOut(Schema):
    participant_id = fields.String()
    day = fields.String()
    status = fields.String()
    recorded_at = fields.AwareDateTime()


class FeedbackIn(Strict):
    rating = fields.Integer(required=True, validate=validate.Range(min=1, max=5))
    comments = fields.String(load_default=None, allow_none=True,
                             validate=validate.Length(max=4000),
                             metadata={"multiline": True,
                                       "description": "may run over several lines"})
    consent_to_quote = fields.Boolean(load_default=False,
                                      metadata={"description": "may be quoted anonymously"})


class FeedbackOut(FeedbackIn):
    participant_id = fields.String()
    submitted_at = fields.AwareDateTime()


class QuoteOut(Schema):
    comments = fields.String()
