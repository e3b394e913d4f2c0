"""Every index notifications relies on, created once the database answers."""

from common.runtime import Runtime
from services.notifications import enrollments, notifications


def ensure_indexes(runtime: Runtime) -> None:
    notifications.ensure_indexes(runtime)
    enrollments.ensure_indexes(runtime)
