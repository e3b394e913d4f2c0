"""Claiming a due notification so that exactly one worker sends it, on MongoDB and FerretDB.

FerretDB 1.24 applies `findAndModify` and filtered updates without a transaction between the
query and the write (FerretDB issue #3040): two workers can both "win" a guarded update, which a
test with two workers showed. A unique index is enforced, so a claim is an INSERT of
`{_id: "<notification id>:<generation>"}`: one insert wins, every other gets E11000. The
notification's `generation` goes up each time it becomes claimable again (a retry, a resend, a
lease taken over), so each round has its own claim.

A claim names its holder (see `holders`): a worker restarted on the same host takes back at
once what its dead predecessor held, without waiting for the lease to run out.
"""

import uuid
from datetime import datetime, timedelta

from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from common.runtime import Runtime
from services.notifications import holders
from services.notifications.stores import notification_store as notifications

COLLECTION = "notification_claims"


def due(runtime: Runtime, now: datetime, limit: int = 50, settle_s: float = 0) -> list[dict]:
    """Notifications due now, or being sent by a worker whose lease ran out or that died on
    this host, oldest first.

    ``settle_s``: leave out pending ones due for less than this long; the worker that made
    them (or scheduled their retry) is sending them already.
    """
    settled = now - timedelta(seconds=settle_s)
    query = {"$or": [{"status": "scheduled", "due_at": {"$lte": now}},
                     {"status": "pending", "due_at": {"$lte": settled}},
                     {"status": "sending", "claimed_until": {"$lte": now}},
                     {"status": "sending", "claim_holder.host": holders.HOST}]}
    found = runtime.db[notifications.COLLECTION].find(query, {"outbox": 0}) \
        .sort([("due_at", ASCENDING), ("_id", ASCENDING)]).limit(limit)
    return [n for n in found if _takeable(n, now)]


def _takeable(notification: dict, now: datetime) -> bool:
    """Not being sent, or its lease ran out, or its holder died (a live one keeps it)."""
    return notification["status"] != "sending" or notification["claimed_until"] <= now \
        or holders.dead(notification.get("claim_holder"))


def _insert(runtime: Runtime, notification_id: str, generation: int, token: str,
            until: datetime) -> bool:
    try:
        runtime.db[COLLECTION].insert_one({"_id": f"{notification_id}:{generation}",
                                           "token": token, "claimed_until": until,
                                           "holder": holders.me()})
        return True
    except DuplicateKeyError:
        return False


def _expired(runtime: Runtime, notification_id: str, generation: int, now: datetime) -> bool:
    claim = runtime.db[COLLECTION].find_one({"_id": f"{notification_id}:{generation}"})
    return claim is not None and (claim["claimed_until"] <= now
                                  or holders.dead(claim.get("holder")))


def take(runtime: Runtime, candidate: dict, now: datetime, lease_s: float) -> dict | None:
    """Claim one candidate for this worker alone; None if another worker holds it."""
    generation = candidate.get("generation", 0)
    if candidate["status"] == "sending":  # its worker's lease ran out or it died: next round
        generation += 1
    token, until = str(uuid.uuid4()), now + timedelta(seconds=lease_s)
    if not _insert(runtime, candidate["_id"], generation, token, until):
        # Claimed, but the claimer vanished before marking it `sending`: next round, once.
        if not (_expired(runtime, candidate["_id"], generation, now)
                and _insert(runtime, candidate["_id"], generation + 1, token, until)):
            return None
        generation += 1
    claimed = {"status": "sending", "claim_token": token, "claimed_until": until,
               "generation": generation, "claim_holder": holders.me(), "claimed_at": now}
    # Checked against the notification as it is now: one that waited in a queue or a batch
    # while it was cancelled, sent or moved later is not taken. Read and written by `_id`
    # alone, the one filter FerretDB hands to SQLite; any other filter makes it decode the whole
    # collection (measured: 0.5 s per update at 1,850 notifications under load).
    collection = runtime.db[notifications.COLLECTION]
    current = collection.find_one({"_id": candidate["_id"]},
                                  {"status": 1, "generation": 1, "due_at": 1})
    if not _unchanged(current, candidate, now):
        return None
    collection.update_one({"_id": candidate["_id"]}, {"$set": claimed})
    return {**candidate, **claimed}


def _unchanged(current: dict | None, candidate: dict, now: datetime) -> bool:
    if current is None or current["status"] != candidate["status"] \
            or current.get("generation", 0) != candidate.get("generation", 0):
        return False
    return current["status"] == "sending" or (current.get("due_at") is not None
                                             and current["due_at"] <= now)


def ensure_indexes(runtime: Runtime) -> None:
    """Only the `_id` index, which is unique by nature; claims are small and few per message."""
