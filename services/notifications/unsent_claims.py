"""What a notifications worker claimed at birth and did not queue (its sending queue was full,
or it was stopping), kept until its stop hands them back (`SendQueue.release`)."""

import threading
from collections.abc import Callable
from datetime import datetime

from services.notifications.stores import claim_store


class UnsentClaims:
    """Only what `release` needs of each (`claim_store.HELD_FIELDS`), at most `MOST`. Nothing
    sends them before their lease runs out (the look-up finds this worker's own only then), so
    those still surely its own at the stop are unsent."""

    MOST = 10000

    def __init__(self, me: str, lease_s: float, clock: Callable[[], datetime]):
        self.me, self.lease_s, self.clock = me, lease_s, clock
        self._kept: list[dict] = []
        self._lock = threading.Lock()

    def _own(self, candidate: dict, now: datetime) -> bool:
        return claim_store.held_since_birth(candidate, self.me, now, self.lease_s)

    def keep(self, candidates: list[dict]) -> None:
        now = self.clock()
        kept = [{k: c[k] for k in claim_store.HELD_FIELDS if k in c} for c in candidates
                if self._own(c, now)]
        if not kept:
            return
        with self._lock:
            if len(self._kept) + len(kept) > self.MOST:
                self._kept = [c for c in self._kept if self._own(c, now)]
            self._kept += kept[:max(0, self.MOST - len(self._kept))]

    def take(self) -> list[dict]:
        """All kept, forgotten here."""
        with self._lock:
            taken, self._kept = self._kept, []
        return taken
