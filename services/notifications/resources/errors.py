"""The domain's refusals mapped to HTTP statuses, once for every view."""

from common.http import map_errors
from services.notifications.domain.errors import IllegalTransitionError, NotFoundError


def register_error_handlers(app) -> None:
    map_errors(app, {NotFoundError: 404, IllegalTransitionError: 409})
