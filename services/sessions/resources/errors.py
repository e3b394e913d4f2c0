"""Sessions' refusals mapped to HTTP once: views raise, never catch and answer themselves."""

import logging

from common.http import error_response, map_errors
from services.sessions.agency_list import AgencyListUnavailableError
from services.sessions.domain.errors import (
    IllegalTransitionError,
    InvalidDetailsError,
    NotFoundError,
)

log = logging.getLogger(__name__)


def register_error_handlers(app) -> None:
    map_errors(app, {NotFoundError: 404, IllegalTransitionError: 409})
    app.register_error_handler(InvalidDetailsError, lambda exc: error_response(
        422, "Unprocessable Entity", errors={"json": exc.errors}))
    app.register_error_handler(AgencyListUnavailableError, _registration_unavailable)


def _registration_unavailable(exc):
    log.warning("registration's list of agencies unavailable", extra={"error": str(exc)})
    response = error_response(503, "registration's list of agencies is unavailable; nothing "
                                   "was written, retry later")
    response.headers["Retry-After"] = "5"
    return response
