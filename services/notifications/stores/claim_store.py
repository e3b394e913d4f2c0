"""The lease on a notification: claimed by a unique insert so that exactly one worker sends it.

A claim is `{_id: "<notification id>:<generation>"}` (see `common.persistence.claims`). The
notification's `generation` goes up each time it becomes claimable again (a retry, a resend, a
lease taken over), so each round has its own claim. A claim names its holder (see `holders`): a
worker restarted on the same host takes back at once what its dead predecessor held.

A whole batch is claimed in one insert and marked `sending` in one bulk write; each candidate is
checked, by one read by `_id`, against the notification as it is now. What the worker's own
consumer stores due now is born claimed instead (`at_birth`): each worker sends what it planned,
and two workers never race for the same claims.
"""

import uuid
from datetime import datetime, timedelta

from pymongo import UpdateOne

from common.persistence import by_id, claims
from common.runtime import Runtime
from services.notifications import holders
from services.notifications.domain import delivery_rules as rules
from services.notifications.stores import due_sweep, shown_notifications
from services.notifications.stores import notification_store as notifications

COLLECTION = "notification_claims"
CHECKED = {"status": 1, "generation": 1, "due_at": 1}
HELD_FIELDS = ("_id", "status", "generation", "claim_token", "claimed_until", "claim_holder")


def due(runtime: Runtime, now: datetime, limit: int = 50, settle_s: float = 0) -> list[dict]:
    """Notifications due now, or being sent by a worker whose lease ran out or that died on
    this host, oldest first: read from the hours they fall due (`due_sweep`), not from a
    query over every notification.

    ``settle_s``: leave out pending ones due for less than this long; the worker that made
    them (or scheduled their retry) is sending them already.
    """
    return due_sweep.due(runtime, now, limit, settle_s)


def finished(runtime: Runtime, notification_ids: list[str]) -> None:
    """This worker sent or skipped these (final): its sweep leaves them unread."""
    due_sweep.finished(runtime, notification_ids)


def _key(notification_id: str, generation: int) -> str:
    return f"{notification_id}:{generation}"


def _claim(candidate_id: str, generation: int, until: datetime, holder: dict) -> dict:
    return {"_id": _key(candidate_id, generation), "generation": generation,
            "token": str(uuid.uuid4()), "claimed_until": until, "holder": holder}


def _vanished(runtime: Runtime, key: str, now: datetime) -> bool:
    """The claim's holder let its lease run out or died before marking the notification."""
    claim = claims.holder(runtime.db[COLLECTION], key)
    return claim is not None and (claim["claimed_until"] <= now
                                  or holders.dead(claim.get("holder")))


def at_birth(documents: list[dict], now: datetime, lease_s: float) -> list[dict]:
    """``documents`` about to be inserted, those due now already claimed by this worker.

    The notification's own insert is unique (one per cause, recipient and kind), so its
    inserter holds round 0 of it alone, with no claim of its own: nobody else may claim it
    before its lease runs out or its holder dies, and then they claim round 1 (see
    `rules.claim_round`), as they would take over any lease.
    """
    until, holder = now + timedelta(seconds=lease_s), holders.me()
    return [{**d, "status": "sending", "claim_token": str(uuid.uuid4()), "claimed_until": until,
             "claim_holder": holder, "claimed_at": now}
            if d.get("status") == "pending" and d["due_at"] <= now else d for d in documents]


def held_since_birth(candidate: dict, holder: dict, now: datetime, lease_s: float) -> bool:
    """A candidate this worker claimed when it stored it, still surely its own."""
    return candidate.get("status") == "sending" and candidate.get("claim_holder") == holder \
        and candidate.get("generation", 0) == 0 and "claim_token" in candidate \
        and rules.surely_ours(candidate["claimed_until"], lease_s, now)


def release(runtime: Runtime, born: list[dict]) -> None:
    """What this worker holds (claimed at birth, or taken) and will not send (it is stopping):
    pending again in a new round, for any worker's look-up, rather than held until the lease
    runs out. Only for what is surely still its own (`held_since_birth`, or just taken)."""
    if born:
        by_id.bulk(runtime.db[notifications.COLLECTION], [UpdateOne(
            {"_id": n["_id"]},
            {"$set": {"status": "pending"}, "$inc": {"generation": 1},
             "$unset": dict.fromkeys(("claim_token", "claimed_until", "claim_holder",
                                      "claimed_at"), "")}) for n in born], ordered=False)


def take(runtime: Runtime, candidates: list[dict], now: datetime, lease_s: float) -> list[dict]:
    """Claim ``candidates`` for this worker alone; returns those it now holds, marked
    `sending` (the others are held by another worker, or changed since they were offered)."""
    until, holder = now + timedelta(seconds=lease_s), holders.me()
    # The same notification may be queued twice (offered, then looked up): claimed once.
    candidates = list({c["_id"]: c for c in candidates}.values())
    won = _claim_all(runtime, candidates, now, until, holder)
    held = []
    for candidate in candidates:
        claim = won.get(candidate["_id"])
        if claim is None:
            continue
        current = by_id.get(runtime.db[notifications.COLLECTION], candidate["_id"], CHECKED)
        if rules.unchanged(current, candidate, now):
            held.append({**candidate, "status": "sending", "claim_token": claim["token"],
                         "claimed_until": until, "claim_holder": holder, "claimed_at": now,
                         "generation": claim["generation"]})
    if held:
        by_id.bulk(runtime.db[notifications.COLLECTION],
                   [UpdateOne({"_id": n["_id"]}, {"$set": _lease(n)}) for n in held],
                   ordered=False)
        if any(c.get("status") == "scheduled" for c in candidates if c["_id"] in won):
            shown_notifications.changed(runtime.db)  # a reminder's time came: once a batch
    return held


def _claim_all(runtime: Runtime, candidates: list[dict], now: datetime, until: datetime,
               holder: dict) -> dict[str, dict]:
    """The claims won, by notification id, in one insert (and one more for the rounds whose
    claimer vanished before marking the notification `sending`)."""
    wanted = {c["_id"]: _claim(c["_id"], rules.claim_round(c), until, holder)
              for c in candidates}
    collection = runtime.db[COLLECTION]
    won = claims.claim_many(collection, list(wanted.values()))
    # Every lost claim is read back, a pending one's too: a worker killed after claiming its
    # batch and before marking it `sending` (the batch's reads lie in between) left those
    # claims on notifications still pending; waiting out its lease would hold them that long.
    again = {c["_id"]: _claim(c["_id"], wanted[c["_id"]]["generation"] + 1, until, holder)
             for c in candidates
             if wanted[c["_id"]]["_id"] not in won
             and _vanished(runtime, wanted[c["_id"]]["_id"], now)}
    won |= claims.claim_many(collection, list(again.values()))
    wanted.update(again)
    return {notification_id: claim for notification_id, claim in wanted.items()
            if claim["_id"] in won}


def _lease(claimed: dict) -> dict:
    return {name: claimed[name] for name in ("status", "claim_token", "claimed_until",
                                             "generation", "claim_holder", "claimed_at")}


def token(runtime: Runtime, notification_id: str) -> str | None:
    """The token of the claim the notification is marked with now."""
    current = by_id.get(runtime.db[notifications.COLLECTION], notification_id,
                        {"claim_token": 1})
    return current.get("claim_token") if current else None
