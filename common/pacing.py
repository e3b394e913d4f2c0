"""Background work that yields to the requests: it takes at most a share of the time.

The outbox relays empty what the log of acknowledgements names a minute after the writes. Done
as fast as the database answers, the minute after a busy one is a burst of reads and writes
(2,000 outboxes in a pass in the bench, a few seconds of FerretDB at full load) that lands on
whatever coordinators and facilitators do at that moment, and the relay's 500 reads at once
queued ahead of its own worker's reads in the shared pool of `by_id.side_by_side`. Paced, the
same work spreads: after each piece that took ``t`` seconds the relay rests ``t * (1 - duty) /
duty``, so it keeps at most ``duty`` of the time, and a pass ends after ``budget_s`` (the next
one resumes where it stopped). Work that has fallen far behind is not paced (`catching_up`):
a relay slower than the writes would fall behind for ever.
"""

import contextvars
import time
from collections.abc import Callable

DUTY = 0.25  # share of the time the relay's emptying may take while it keeps up

# Which background work the code running in this context does ("outbox-relay"; "" for the
# requests and events themselves). Set by the work's own thread and carried into the reads it
# hands to `by_id.side_by_side`, so that whoever counts database commands (the bench's monitor,
# bench/monitoring) can tell a relay's emptying from the work of a request or an event.
BACKGROUND: contextvars.ContextVar[str] = contextvars.ContextVar("background", default="")


class Pacer:
    """Rests between pieces of background work, and says when a pass has had its time."""

    def __init__(self, duty: float = DUTY, budget_s: float | None = None,
                 rest: Callable[[float], object] = time.sleep,
                 clock: Callable[[], float] = time.monotonic,
                 stopping: Callable[[], bool] = lambda: False):
        if not 0 < duty <= 1:
            raise ValueError("duty must be in (0, 1]")
        self.duty, self.budget_s, self.rest, self.clock = duty, budget_s, rest, clock
        self.stopping = stopping
        self.began = clock()
        self.cut_short = False  # whether a pass was told to end before its work was done

    def piece(self, work: Callable[[], object], catching_up: bool = False):
        """``work()``, then a rest in proportion to how long it took (none when catching up
        or stopping); what ``work()`` returned."""
        started = self.clock()
        result = work()
        took = self.clock() - started
        if self.duty < 1 and not catching_up and not self.stopping():
            self.rest(took * (1 - self.duty) / self.duty)
        return result

    def over(self) -> bool:
        """Whether the pass should end here: its budget spent, or the process stopping."""
        if self.stopping() or (self.budget_s is not None
                               and self.clock() - self.began >= self.budget_s):
            self.cut_short = True
        return self.cut_short
