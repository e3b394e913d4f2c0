"""What no longer protects anything is deleted; what still does is kept."""

from datetime import UTC, datetime, timedelta

from common import pruning
from common.mongo import IDEMPOTENCY_KEYS, PROCESSED_EVENTS, database

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def test_old_event_ids_keys_and_claims_go_and_recent_ones_stay(settings):
    db = database(settings("notifications"))
    db[PROCESSED_EVENTS].insert_many([{"_id": "old", "processed_at": NOW - timedelta(days=31)},
                                      {"_id": "recent", "processed_at": NOW - timedelta(days=2)}])
    db[IDEMPOTENCY_KEYS].insert_many([{"_id": "old", "created_at": NOW - timedelta(hours=25)},
                                      {"_id": "recent", "created_at": NOW - timedelta(hours=1)}])
    db["notification_claims"].insert_many([
        {"_id": "n1:0", "claimed_until": NOW - timedelta(days=2)},
        {"_id": "n2:0", "claimed_until": NOW + timedelta(minutes=2)}])
    rules = [pruning.Rule(PROCESSED_EVENTS, "processed_at", timedelta(days=30)),
             pruning.Rule(IDEMPOTENCY_KEYS, "created_at", timedelta(hours=24)),
             pruning.Rule("notification_claims", "claimed_until", timedelta(days=1))]

    deleted = pruning.prune(db, rules, now=NOW)

    assert deleted == {PROCESSED_EVENTS: 1, IDEMPOTENCY_KEYS: 1, "notification_claims": 1}
    assert [d["_id"] for d in db[PROCESSED_EVENTS].find()] == ["recent"]
    assert [d["_id"] for d in db[IDEMPOTENCY_KEYS].find()] == ["recent"]
    assert [d["_id"] for d in db["notification_claims"].find()] == ["n2:0"]
    assert pruning.prune(db, rules, now=NOW) == {PROCESSED_EVENTS: 0, IDEMPOTENCY_KEYS: 0,
                                                 "notification_claims": 0}
