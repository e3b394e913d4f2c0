"""A service's worker process: its consumer loop and its outbox relay, stopped by SIGTERM."""

import logging
import signal
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from common import pruning
from common.consumer_loop import ConsumerLoop
from common.dispatch import Dispatcher, ProcessedEvents, Registry
from common.logs import configure
from common.mongo import IDEMPOTENCY_KEYS, PROCESSED_EVENTS
from common.runtime import Runtime

log = logging.getLogger(__name__)

# After SIGTERM the consumer finishes its batch and leaves its group; then the background
# threads have this long, together, to finish what each is doing (a sending thread: the message
# it is sending). One still busy then (a database or SMTP relay that stopped answering) is left
# to end with the process, as in a crash, which the claims and the outbox already survive.
STOP_GRACE_S = 10.0
STEP_GRACE_S = 5.0  # each `on_stopped` step (a write that hands claims back): then left too


def run(runtime: Runtime, registry: Registry, outbox_collections: list[str],
        background: tuple[Callable[[threading.Event], None], ...] = (),
        pruned: tuple[pruning.Rule, ...] = (), stop: threading.Event | None = None,
        on_stopped: tuple[Callable[[], None], ...] = ()) -> None:
    """Run until SIGTERM or SIGINT: finish the current message, commit, leave the group.

    ``stop``: the event SIGTERM sets, for what must know it (the default: one of its own);
    ``on_stopped``: run once the consumer and the background threads have stopped."""
    settings = runtime.settings
    configure(settings.service, settings.log_level)
    stop = stop or threading.Event()
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
    rules = [pruning.Rule(PROCESSED_EVENTS, "processed_at",
                          timedelta(days=settings.processed_events_days)),
             pruning.Rule(IDEMPOTENCY_KEYS, "created_at",
                          timedelta(hours=settings.idempotency_key_hours)), *pruned]
    background = (*background, pruning.pruner(lambda: runtime.db, rules))
    threads += [threading.Thread(target=task, args=(stop,), name=task.__name__, daemon=True)
                for task in background]
    for thread in threads:
        thread.start()

    dispatcher = Dispatcher(registry, ProcessedEvents(runtime.db[PROCESSED_EVENTS]),
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
    deadline = time.monotonic() + STOP_GRACE_S
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    for hook in on_stopped:
        step = threading.Thread(target=_logged, args=(hook,), name="stopping", daemon=True)
        step.start()
        step.join(timeout=STEP_GRACE_S)
    runtime.publisher.close()  # drained, and out of the relays' registry if nothing is unsent
    runtime.producer.close()
    log.info("worker stopped")


def _logged(step: Callable[[], None]) -> None:
    try:
        step()
    except Exception:
        log.exception("a step of the worker's stop failed")
