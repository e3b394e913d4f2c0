"""The CloudEvents 1.0 envelope (structured JSON mode) that every event travels in."""

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from common.schemas import FullMatch

CONTENT_TYPE = "application/cloudevents+json"
SPECVERSION = "1.0"

# `<service>.<aggregate>.<past-tense verb>`, optionally `.v2` and later.
TYPE_PATTERN = r"^[a-z]+\.[a-z_]+\.[a-z_]+(\.v[2-9][0-9]*)?$"


class EnvelopeSchema(Schema):
    """Marshmallow schema of the envelope; `data` is checked by each event type's own schema."""

    class Meta:
        unknown = RAISE

    specversion = fields.String(required=True, validate=validate.Equal(SPECVERSION))
    id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    source = fields.String(required=True, validate=validate.Length(min=1, max=64))
    type = fields.String(required=True, validate=FullMatch(TYPE_PATTERN))
    subject = fields.String(required=True, validate=validate.Length(min=1, max=128))
    time = fields.AwareDateTime(required=True, format="iso")
    datacontenttype = fields.String(load_default="application/json")
    data = fields.Dict(required=True)
    correlationid = fields.String(required=True, validate=validate.Length(min=1, max=128))
    causationid = fields.String(load_default=None, allow_none=True)


@dataclass(frozen=True)
class Event:
    """One event: what happened (`type`) to which aggregate (`subject`), with its payload."""

    type: str
    subject: str
    data: dict
    source: str
    correlationid: str
    causationid: str | None = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    time: datetime = field(default_factory=lambda: datetime.now(UTC))
    datacontenttype: str = "application/json"
    specversion: str = SPECVERSION

    def to_dict(self) -> dict:
        """The envelope as a JSON-ready dict."""
        return _SCHEMA.dump(self)

    def to_bytes(self) -> bytes:
        return json.dumps(self.to_dict(), separators=(",", ":")).encode()

    @classmethod
    def from_dict(cls, raw: dict) -> "Event":
        """Load an envelope; raises `ValidationError` naming each bad attribute."""
        return cls(**_SCHEMA.load(raw))

    @classmethod
    def from_bytes(cls, raw: bytes) -> "Event":
        try:
            decoded = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValidationError(f"not JSON: {exc}") from exc
        if not isinstance(decoded, dict):
            raise ValidationError("the envelope must be a JSON object")
        return cls.from_dict(decoded)

    def caused(self, type: str, subject: str, data: dict, source: str) -> "Event":
        """A new event caused by this one: same correlation id, causation id = this id."""
        return Event(type=type, subject=subject, data=data, source=source,
                     correlationid=self.correlationid, causationid=self.id)


_SCHEMA = EnvelopeSchema()


def new_event(type: str, subject: str, data: dict, source: str,
              correlationid: str | None = None, causationid: str | None = None) -> Event:
    """Build an event; a missing correlation id starts a new correlation."""
    return Event(type=type, subject=subject, data=data, source=source,
                 correlationid=correlationid or str(uuid.uuid4()), causationid=causationid)
