"""Sessions' worker: what it consumes (nothing yet) and its outbox relay."""

from common import worker
from common.config import load
from common.consumer import Registry
from common.runtime import Runtime
from common.topics import SESSIONS_EVENTS
from services.sessions import sessions

registry = Registry()


def main() -> None:
    runtime = Runtime(load("sessions"), SESSIONS_EVENTS, indexes=sessions.ensure_indexes)
    worker.run(runtime, registry, outbox_collections=["sessions"])


if __name__ == "__main__":
    main()
