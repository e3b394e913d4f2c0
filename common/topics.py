"""The topic catalogue: one topic per producing service, each with its dead-letter twin.

`TOPIC_PREFIX` (empty in production) lets a throwaway stack, such as the end-to-end tests', share a
broker with a developer's running system without either reading the other's events.
"""

from common.config import topic_prefix

PARTITIONS = 3
# Read once, when a process first imports this; the topic names below are fixed for its life.
PREFIX = topic_prefix()

REGISTRATION_EVENTS = f"{PREFIX}registration.events"
SESSIONS_EVENTS = f"{PREFIX}sessions.events"
NOTIFICATIONS_EVENTS = f"{PREFIX}notifications.events"

EVENT_TOPICS = (REGISTRATION_EVENTS, SESSIONS_EVENTS, NOTIFICATIONS_EVENTS)


def dlq(topic: str) -> str:
    """Name of the dead-letter topic for ``topic``."""
    return f"{topic}.dlq"


def catalogue(prefix: str = PREFIX) -> tuple[str, ...]:
    """Every topic, with its dead-letter twin, under ``prefix``."""
    base = ("registration.events", "sessions.events", "notifications.events")
    events = tuple(prefix + t for t in base)
    return events + tuple(dlq(t) for t in events)


ALL_TOPICS = catalogue()
