"""Notifications' worker: consumes registration's and sessions' events, sends what is due."""

import threading
from datetime import timedelta

from common import native_memory, pruning, worker
from common.config import load, load_notification_settings
from common.runtime import Runtime
from common.topics import NOTIFICATIONS_EVENTS
from services.notifications.channels.registry import build_channels
from services.notifications.handlers import build_registry
from services.notifications.indexes import OUTBOX_COLLECTIONS, ensure_indexes
from services.notifications.send_queue import SendQueue
from services.notifications.stores import claim_store


def main() -> None:
    native_memory.limit_arenas()  # before any thread starts
    settings = load("notifications")
    config = load_notification_settings()
    runtime = Runtime(settings, NOTIFICATIONS_EVENTS, indexes=ensure_indexes)
    stop = threading.Event()  # SIGTERM: the sender stops waiting and sending, and hands back
    sending = SendQueue(runtime, build_channels(settings, config), config, stopping=stop)
    # What the consumer records goes straight to the sending threads, claimed by this worker
    # in its own insert (each worker sends what it planned); the look-up every
    # NOTIFICATION_SENDER_INTERVAL_SECONDS finds reminders, retries and what a crash left.
    worker.run(runtime, build_registry(runtime, config, on_created=sending.offer_new,
                                       claim_at_birth=sending.claim_at_birth),
               outbox_collections=OUTBOX_COLLECTIONS,
               background=(sending.run, *[sending.run_sending] * config.sender_threads,
                           native_memory.trimmer()),
               # A claim outlives its lease by a day, far past any use.
               pruned=(pruning.Rule(claim_store.COLLECTION, "claimed_until",
                                    timedelta(days=1)),),
               stop=stop, on_stopped=(sending.stopped,))


if __name__ == "__main__":
    main()
