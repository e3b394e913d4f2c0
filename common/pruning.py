"""Bounded growth: a worker's background task deletes what no longer protects anything.

Event ids already handled (`processed_events`) only guard against a redelivery, which comes
within the broker's retention; an Idempotency-Key answers repeats of one request for a day;
each service may add its own (notifications: claims whose lease ended long ago). On FerretDB a
delete filtered on a time reads the whole collection, so it runs once an hour, not per write.
"""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pymongo.database import Database
from pymongo.errors import PyMongoError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rule:
    collection: str
    field: str  # a time: documents older than `keep` by it are deleted
    keep: timedelta


def prune(db: Database, rules: list[Rule], now: datetime | None = None) -> dict[str, int]:
    """Apply every rule once; returns how many documents each collection lost."""
    now = now or datetime.now(UTC)
    return {rule.collection: db[rule.collection].delete_many(
        {rule.field: {"$lt": now - rule.keep}}).deleted_count for rule in rules}


def pruner(database: Callable[[], Database], rules: list[Rule], interval_s: float = 3600,
           first_after_s: float = 60):
    """The background task: prune a minute after start, then every ``interval_s``."""
    def pruning(stop: threading.Event) -> None:
        wait = first_after_s
        while not stop.wait(wait):
            wait = interval_s
            try:
                deleted = prune(database(), rules)
            except PyMongoError as exc:
                log.warning("pruning: database unavailable", extra={"error": repr(exc)})
                continue
            if any(deleted.values()):
                log.info("pruned", extra={"deleted": deleted})
    return pruning
