"""A service's worker process: its consumer loop and its outbox relay, stopped by SIGTERM."""

import logging
import signal
import threading
from collections.abc import Callable

from common.consumer import Dispatcher, ProcessedEvents, Registry
from common.consuming import ConsumerLoop
from common.logs import configure
from common.runtime import Runtime

log = logging.getLogger(__name__)


def run(runtime: Runtime, registry: Registry, outbox_collections: list[str],
        background: tuple[Callable[[threading.Event], None], ...] = ()) -> None:
    """Run until SIGTERM or SIGINT: finish the current message, commit, leave the group."""
    settings = runtime.settings
    configure(settings.service, settings.log_level)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())

    while not stop.is_set():
        try:
            runtime.prepare()
            break
        except Exception as exc:
            log.warning("database not ready; retrying", extra={"error": type(exc).__name__})
            stop.wait(2)

    relay = runtime.outbox_relay(outbox_collections)
    threads = [threading.Thread(target=relay.run, args=(stop, settings.relay_interval_s),
                                name="outbox-relay", daemon=True)]
    threads += [threading.Thread(target=task, args=(stop,), name=task.__name__, daemon=True)
                for task in background]
    for thread in threads:
        thread.start()

    dispatcher = Dispatcher(registry, ProcessedEvents(runtime.db["processed_events"]),
                            max_attempts=settings.consumer_max_attempts,
                            backoff_s=settings.consumer_backoff_s)
    loop = ConsumerLoop(settings.kafka_bootstrap, settings.consumer_group, registry.topics,
                        dispatcher, runtime.producer)
    log.info("worker started", extra={"topics": registry.topics,
                                      "group": settings.consumer_group})
    if registry.topics:
        loop.run(stop)
    else:
        stop.wait()
    for thread in threads:
        thread.join(timeout=15)
    runtime.publisher.drain()
    runtime.producer.close()
    log.info("worker stopped")
