"""Domain errors as the JSON answers the API gives (flask-smorest's error shape)."""

from common.http import error_response


def field_error(field: str, message: str):
    """422 naming one field, as marshmallow's own validation errors do."""
    return error_response(422, message, errors={"json": {field: [message]}})


def fields_error(message: str, errors: dict):
    """422 naming each field (nested ones as nested objects), in marshmallow's shape."""
    return error_response(422, message, errors={"json": errors})


def conflict(message: str, **details):
    return error_response(409, message, **details)
