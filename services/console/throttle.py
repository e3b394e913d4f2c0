"""When sign-in stops being tried: too many recent failures for an account or an address."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Throttle:
    window_s: int
    per_account: int
    per_address: int

    def retry_after(self, failures: list[float], limit: int, now: float) -> int:
        """Seconds until a new try is allowed (0: allowed now), given failure times."""
        recent = sorted(t for t in failures if now - t < self.window_s)
        if len(recent) < limit:
            return 0
        # The oldest failure that keeps the count at the limit must age out first.
        return max(1, int(recent[-limit] + self.window_s - now) + 1)
