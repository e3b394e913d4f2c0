"""Who may call which sessions view, and a facilitator's reach: only the sessions she leads."""

from flask import g
from flask_smorest import abort

COORDINATOR = ("coordinator",)
READERS = ("coordinator", "service")  # no names in these views, but not for `viewer`
INDICATOR_READERS = ("coordinator", "viewer", "service")
# Programmes and series hold no one's name: a viewer finds the donors' figures through them.
PLAN_READERS = ("coordinator", "service", "viewer")
# A facilitator reaches only the sessions she facilitates (`facilitated` checks which).
FACILITATING = ("coordinator", "facilitator")
REPORT_READERS = ("coordinator", "viewer")


def only_facilitator() -> str | None:
    """The facilitator id when the caller acts only as a facilitator, else None."""
    principal = g.principal
    if principal.has_any(("coordinator", "service")):
        return None
    return principal.facilitator_id


def facilitated(session: dict) -> dict:
    """The session, unless the caller is a facilitator who does not facilitate it (403)."""
    facilitator_id = only_facilitator()
    if facilitator_id is None:
        return session
    if any(a.get("facilitator_id") == facilitator_id for a in session.get("facilitators", [])):
        return session
    abort(403, message="a facilitator may only reach the sessions she facilitates")


def page(items: list, pagination_parameters) -> list:
    """One page of an already computed list."""
    pagination_parameters.item_count = len(items)
    first = pagination_parameters.first_item
    return items[first:first + pagination_parameters.page_size]
