"""Registration's worker: the sessions projection, cohort enrollment, outbox relay, read model."""

from common import native_memory, worker
from common.config import load
from common.runtime import Runtime
from common.topics import REGISTRATION_EVENTS
from services.registration.handlers import build_registry
from services.registration.indexes import OUTBOX_COLLECTIONS, ensure_indexes
from services.registration.stores import enrollment_sweep


def main() -> None:
    native_memory.limit_arenas()  # before any thread starts
    runtime = Runtime(load("registration"), REGISTRATION_EVENTS, indexes=ensure_indexes)
    worker.run(runtime, build_registry(runtime), outbox_collections=OUTBOX_COLLECTIONS,
               background=(enrollment_sweep.sweeper(runtime), native_memory.trimmer()))


if __name__ == "__main__":
    main()
