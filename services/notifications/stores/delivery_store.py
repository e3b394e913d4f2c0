"""What became of a batch of tries, written in one bulk write by `_id`, events in each outbox."""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from pymongo import UpdateOne

from common import outbox
from common.envelope import Event
from common.persistence import by_id
from common.runtime import Runtime
from services.notifications.domain import delivery_rules as rules
from services.notifications.stores import claim_store
from services.notifications.stores import notification_store as notifications

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """One claimed notification after its try: the update to write, the events it publishes,
    and, when it is pending again, the candidate to offer once ``retry_at`` comes."""

    notification: dict
    update: dict
    events: list[Event] = field(default_factory=list)
    retry: dict | None = None
    retry_at: datetime | None = None


def write(runtime: Runtime, outcomes: list[Outcome], lease_s: float,
          now: datetime) -> list[Outcome]:
    """Write the outcomes whose claim is still ours; returns those written.

    A worker whose lease ran out cannot overwrite the work of the one that reclaimed it.
    """
    ours = []
    for outcome in outcomes:
        if _ours(runtime, outcome.notification, lease_s, now):
            ours.append(outcome)
        else:
            log.warning("lost the claim on a notification",
                        extra={"notification_id": outcome.notification["_id"]})
    if not ours:
        return []
    collection = runtime.db[notifications.COLLECTION]
    if any(outcome.events for outcome in ours):
        runtime.publisher.register(runtime.db)  # before the write: a crash after it is seen
    writes, published = [], []
    for outcome in ours:
        update = {**outcome.update, "$unset": {"claimed_until": ""}}
        if outcome.events:
            update = outbox.on_update(update, runtime.topic, outcome.events)
            published.append((outcome.notification["_id"], update["$push"]["outbox"]["$each"]))
        writes.append(UpdateOne({"_id": outcome.notification["_id"]}, update))
    by_id.bulk(collection, writes, ordered=False)
    for doc_id, entries in published:
        runtime.publisher.publish_soon(collection, entries, fresh_ids=[e["id"] for e in entries],
                                       doc_id=doc_id)
    return ours


def _ours(runtime: Runtime, notification: dict, lease_s: float, now: datetime) -> bool:
    if rules.surely_ours(notification["claimed_until"], lease_s, now):
        return True
    return claim_store.token(runtime, notification["_id"]) == notification["claim_token"]
