"""The domain's refusals; views map them to HTTP statuses (409 and 422)."""


class IllegalTransitionError(Exception):
    """The change is not allowed in the aggregate's current state (HTTP 409)."""


class InvalidDetailsError(Exception):
    """Details that can never be right, each named by field (HTTP 422)."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {', '.join(v)}" for k, v in errors.items()))
        self.errors = errors


class NotFoundError(Exception):
    """No such programme, series, session or facilitator (HTTP 404)."""
