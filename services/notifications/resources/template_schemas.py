"""HTTP bodies of template previews."""

from marshmallow import Schema, fields, validate

from common.schemas import Query
from services.notifications.domain.notification_rules import TEMPLATES
from services.notifications.domain.recipient_rules import LANGUAGES


class PreviewQuery(Query):
    language = fields.String(load_default="en", validate=validate.OneOf(LANGUAGES))


class PreviewOut(Schema):
    kind = fields.String(validate=validate.OneOf(TEMPLATES))
    language = fields.String(metadata={"description": "the language used (English fallback)"})
    subject = fields.String()
    text = fields.String()
    html = fields.String()
    calendar = fields.String(allow_none=True)
