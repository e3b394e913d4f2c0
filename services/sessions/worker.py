"""Sessions' worker: the roster projection (see handlers.py) and the outbox relay."""

from datetime import timedelta

from common import pruning, worker
from common.config import load
from common.runtime import Runtime
from common.topics import SESSIONS_EVENTS
from services.sessions import handlers, indexes, verification

OUTBOX_COLLECTIONS = ["programmes", "series", "sessions", "roster", "certificates"]


def main() -> None:
    runtime = Runtime(load("sessions"), SESSIONS_EVENTS, indexes=indexes.ensure)
    # Verification counters of past windows are of no further use.
    counters = pruning.Rule(verification.LIMITS, "window_start", timedelta(hours=1))
    worker.run(runtime, handlers.build_registry(runtime), outbox_collections=OUTBOX_COLLECTIONS,
               pruned=(counters,))


if __name__ == "__main__":
    main()
