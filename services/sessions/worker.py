"""Sessions' worker: the roster projection (see handlers.py) and the outbox relay."""

from common import worker
from common.config import load
from common.runtime import Runtime
from common.topics import SESSIONS_EVENTS
from services.sessions import handlers, indexes

OUTBOX_COLLECTIONS = ["programmes", "series", "sessions", "roster"]


def main() -> None:
    runtime = Runtime(load("sessions"), SESSIONS_EVENTS, indexes=indexes.ensure)
    worker.run(runtime, handlers.build_registry(runtime), outbox_collections=OUTBOX_COLLECTIONS)


if __name__ == "__main__":
    main()
