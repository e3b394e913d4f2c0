"""Notifications' worker: consumes registration's events into recipients and notifications."""

from common import worker
from common.config import load
from common.runtime import Runtime
from common.topics import NOTIFICATIONS_EVENTS
from services.notifications import notifications
from services.notifications.handlers import build_registry


def main() -> None:
    runtime = Runtime(load("notifications"), NOTIFICATIONS_EVENTS,
                      indexes=notifications.ensure_indexes)
    worker.run(runtime, build_registry(runtime), outbox_collections=["notifications"])


if __name__ == "__main__":
    main()
