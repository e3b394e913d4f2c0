"""The domain's refusals as the JSON answers the API gives (flask-smorest's shape), mapped once."""

from common.http import error_response, map_errors
from services.registration.domain.errors import (
    ConflictError,
    ContentionError,
    GoneError,
    InvalidFieldError,
    InvalidProfileError,
    NotFoundError,
)


def register_error_handlers(app) -> None:
    map_errors(app, {NotFoundError: 404, GoneError: 410, ContentionError: 503})
    app.register_error_handler(InvalidFieldError, _invalid_field)
    app.register_error_handler(InvalidProfileError, lambda exc: error_response(
        422, str(exc), errors={"json": exc.errors}))
    app.register_error_handler(ConflictError, _conflict)


def _invalid_field(exc: InvalidFieldError):
    """422 naming one field, as marshmallow's own validation errors do."""
    return error_response(422, str(exc), errors={"json": {exc.field: [str(exc)]}})


def _conflict(exc: ConflictError):
    # Only refusals about another record name it (`existing_id`), as the API documents.
    details = {"existing_id": exc.existing_id} if "existing_id" in vars(exc) else {}
    return error_response(409, str(exc), **details)
