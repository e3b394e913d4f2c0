"""The topic catalogue: one topic per producing service, each with its dead-letter twin."""

PARTITIONS = 3

REGISTRATION_EVENTS = "registration.events"
SESSIONS_EVENTS = "sessions.events"
NOTIFICATIONS_EVENTS = "notifications.events"

EVENT_TOPICS = (REGISTRATION_EVENTS, SESSIONS_EVENTS, NOTIFICATIONS_EVENTS)


def dlq(topic: str) -> str:
    """Name of the dead-letter topic for ``topic``."""
    return f"{topic}.dlq"


ALL_TOPICS = EVENT_TOPICS + tuple(dlq(t) for t in EVENT_TOPICS)
