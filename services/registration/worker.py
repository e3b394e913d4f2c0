"""Registration's worker: what it consumes (nothing yet) and its outbox relay."""

from common import worker
from common.config import load
from common.consumer import Registry
from common.runtime import Runtime
from common.topics import REGISTRATION_EVENTS
from services.registration import participants

registry = Registry()


def main() -> None:
    runtime = Runtime(load("registration"), REGISTRATION_EVENTS,
                      indexes=participants.ensure_indexes)
    worker.run(runtime, registry, outbox_collections=["participants"])


if __name__ == "__main__":
    main()
