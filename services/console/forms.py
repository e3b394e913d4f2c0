"""Reading plain HTML form fields, naming the field when one is wrong."""

from flask import request

from services.console.clients.base import ApiRefusedError
from services.console.display import FormError


def text(name: str, required: bool = True, max_length: int = 4000) -> str | None:
    value = (request.form.get(name) or "").strip()
    if not value:
        if required:
            raise FormError(f"{name}: required")
        return None
    if len(value) > max_length:
        raise FormError(f"{name}: at most {max_length} characters")
    return value


def number(name: str) -> int:
    value = text(name)
    try:
        return int(value)
    except ValueError as exc:
        raise FormError(f"{name}: give a whole number") from exc


def lines(name: str) -> list[str]:
    """A list from a textarea or comma-separated input: one item per line or comma."""
    raw = (request.form.get(name) or "").replace(",", "\n")
    return [item.strip() for item in raw.splitlines() if item.strip()]


def refusal(exc: Exception) -> str:
    """What to tell the person about a refused form or API call."""
    if not isinstance(exc, ApiRefusedError):
        return str(exc)
    details = "; ".join(exc.field_messages())
    return f"{exc.message}{': ' + details if details else ''}"
