"""The domain's refusals mapped to HTTP statuses, once for every view."""

from common.http import error_response
from services.notifications.domain.errors import IllegalTransitionError, NotFoundError


def register_error_handlers(app) -> None:
    app.register_error_handler(NotFoundError, lambda exc: error_response(404, str(exc)))
    app.register_error_handler(IllegalTransitionError, lambda exc: error_response(409, str(exc)))
