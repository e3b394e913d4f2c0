"""Domain errors as the JSON answers the API gives (flask-smorest's error shape)."""

from common.http import error_response


def field_error(field: str, message: str):
    """422 naming one field, as marshmallow's own validation errors do."""
    return error_response(422, message, errors={"json": {field: [message]}})


def conflict(message: str, **details):
    return error_response(409, message, **details)
