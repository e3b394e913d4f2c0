"""How long to wait before trying again: exponential, capped (the consumer's handler retries and
the notification sender's retries share it)."""


def backoff_delay(attempt: int, base_s: float, cap_s: float = 5.0) -> float:
    """Delay before retry number ``attempt`` (1-based): exponential, capped."""
    return min(cap_s, base_s * (2 ** (attempt - 1)))
