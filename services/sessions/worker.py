"""Sessions' worker: the roster projection and certificates (see handlers.py), the outbox relay."""

from datetime import timedelta

from common import native_memory, pruning, worker
from common.config import load
from common.runtime import Runtime
from common.topics import SESSIONS_EVENTS
from services.sessions import backfill
from services.sessions.handlers import build_registry
from services.sessions.indexes import OUTBOX_COLLECTIONS, ensure_indexes
from services.sessions.stores import documents, verification_store


def main() -> None:
    native_memory.limit_arenas()  # before any thread starts
    runtime = Runtime(load("sessions"), SESSIONS_EVENTS, indexes=ensure_indexes)
    backfill.run(runtime)
    # Verification counters of past windows are of no further use.
    counters = pruning.Rule(verification_store.LIMITS, "window_start", timedelta(hours=1))
    # A session's revision claims only stop requests that read it moments before.
    revisions = pruning.Rule(documents.CHANGES, "at", timedelta(days=1))
    worker.run(runtime, build_registry(runtime), outbox_collections=OUTBOX_COLLECTIONS,
               background=(native_memory.trimmer(),), pruned=(counters, revisions))


if __name__ == "__main__":
    main()
