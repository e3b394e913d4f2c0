"""The base of every HTTP body and query schema: what no service may store, said once.

Text: a lone UTF-16 surrogate is not text (the database driver cannot even encode it), and
control characters (C0, DEL, C1) hide in names, titles and calendar lines; tab, LF and CR are
allowed only in fields declared multi-line (`metadata={"multiline": True}`). Non-empty text must
not be blank. Numbers in JSON bodies: an integer field takes only a JSON integer (not 10.7, 10.0,
"15" or true). Query strings keep their text form, so their integers are parsed from text.
"""

import re
from datetime import UTC, datetime, timedelta

from marshmallow import RAISE, Schema, ValidationError, fields, validate

SURROGATE = re.compile("[\ud800-\udfff]")
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
CONTROL_BUT_LINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # keeps TAB, LF, CR
E164 = r"\+[1-9][0-9]{6,14}"


def check_text(value: str, multiline: bool = False) -> None:
    """Refuse what is not storable, readable text; the message never repeats the value."""
    if SURROGATE.search(value):
        raise ValidationError("contains a lone UTF-16 surrogate, which is not text")
    forbidden = (CONTROL_BUT_LINES if multiline else CONTROL).search(value)
    if forbidden:
        allowed = " (tab and line breaks are allowed)" if multiline else ""
        raise ValidationError(f"contains the control character U+{ord(forbidden.group()):04X}"
                              f"{allowed}")
    if value and not value.strip():
        raise ValidationError("must not be blank")


class _Text:
    """The text check, on every string field of a body or query (see `_guard`)."""

    def __init__(self, multiline: bool):
        self.multiline = multiline

    def __call__(self, value) -> None:
        if isinstance(value, str):
            check_text(value, self.multiline)


def _guard(field: fields.Field, strict_numbers: bool) -> None:
    if isinstance(field, fields.List):
        _guard(field.inner, strict_numbers)
    elif isinstance(field, fields.String):
        if not any(isinstance(v, _Text) for v in field.validators):
            # First, so a surrogate is named as such, not as a bad email or choice.
            field.validators.insert(0, _Text(bool(field.metadata.get("multiline"))))
    elif isinstance(field, fields.Integer) and strict_numbers:
        field.strict = True


class Strict(Schema):
    """A JSON body: unknown fields refused, text checked, integers strict."""

    STRICT_NUMBERS = True

    class Meta:
        unknown = RAISE

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        _guard(field_obj, self.STRICT_NUMBERS)


class Query(Strict):
    """A query string: the same text rules; numbers arrive as text."""

    STRICT_NUMBERS = False


class FullMatch(validate.Regexp):
    """`validate.Regexp` matches at the start only and `$` lets a trailing newline through."""

    def __call__(self, value: str) -> str:
        if self.regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


class NotInFuture(validate.Validator):
    """Not after now, give or take a clock's skew between the client and us."""

    def __init__(self, skew: timedelta = timedelta(minutes=5)):
        self.skew = skew

    def __call__(self, value: datetime) -> datetime:
        if value > datetime.now(UTC) + self.skew:
            raise ValidationError("must not be in the future")
        return value


def moments_between(first: datetime, last: datetime) -> validate.Range:
    """Plausible moments, both ends included (each bound is also said in the OpenAPI)."""
    return validate.Range(min=first, max=last,
                          error=f"must be between {first.isoformat()} and {last.isoformat()}")


class Out(Schema):
    """A stored record as the API shows it: its id first (see `common.views.shown`)."""

    id = fields.String()
