"""What the sessions views share: the runtime, and domain refusals mapped to HTTP statuses."""

import logging

from flask import g
from flask_smorest import abort

from common.http import error_response
from common.views import runtime, shown  # noqa: F401 (the views import them from here)
from services.sessions.agency_list import AgencyListUnavailableError
from services.sessions.domain.errors import (
    IllegalTransitionError,
    InvalidDetailsError,
    NotFoundError,
)

log = logging.getLogger(__name__)

COORDINATOR = ("coordinator",)
READERS = ("coordinator", "service")  # no names in these views, but not for `viewer`
INDICATOR_READERS = ("coordinator", "viewer", "service")
# Programmes and series hold no one's name: a viewer finds the donors' figures through them.
PLAN_READERS = ("coordinator", "service", "viewer")
# A facilitator reaches only the sessions she facilitates (`facilitated` checks which).
FACILITATING = ("coordinator", "facilitator")


def register_error_handlers(app) -> None:
    app.register_error_handler(NotFoundError, lambda exc: error_response(404, str(exc)))
    app.register_error_handler(IllegalTransitionError, lambda exc: error_response(409, str(exc)))
    app.register_error_handler(InvalidDetailsError, lambda exc: error_response(
        422, "Unprocessable Entity", errors={"json": exc.errors}))
    app.register_error_handler(AgencyListUnavailableError, _registration_unavailable)


def _registration_unavailable(exc):
    log.warning("registration's list of agencies unavailable", extra={"error": str(exc)})
    response = error_response(503, "registration's list of agencies is unavailable; nothing "
                                   "was written, retry later")
    response.headers["Retry-After"] = "5"
    return response


def page(items: list, pagination_parameters) -> list:
    """One page of an already computed list."""
    pagination_parameters.item_count = len(items)
    first = pagination_parameters.first_item
    return items[first:first + pagination_parameters.page_size]


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
