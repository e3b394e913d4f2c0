"""The notifications domain's refusals; `resources.errors` maps each to its HTTP status once."""


class NotFoundError(Exception):
    """No such notification, recipient or template (HTTP 404)."""


class IllegalTransitionError(Exception):
    """The change is not allowed in the notification's current state (HTTP 409)."""
