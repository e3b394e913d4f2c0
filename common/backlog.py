"""How far behind the system is: consumer lag per group and events waiting in outboxes."""

from kafka import KafkaConsumer, TopicPartition
from kafka.admin import KafkaAdminClient
from pymongo.database import Database

from common.outbox import MARKERS
from common.outbox_relay import outbox_backlog_of


def consumer_lag(bootstrap: str, group: str, topics: list[str]) -> dict[str, int]:
    """Messages not yet committed by ``group``, per topic (end offset minus committed)."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    try:
        committed = admin.list_group_offsets(group).get(group, {})
        lag: dict[str, int] = {}
        for topic in topics:
            partitions = [TopicPartition(topic, p)
                          for p in sorted(consumer.partitions_for_topic(topic) or ())]
            ends = consumer.end_offsets(partitions) if partitions else {}
            lag[topic] = sum(max(0, end - (committed[tp].offset if tp in committed
                                           and committed[tp].offset >= 0 else 0))
                             for tp, end in ends.items())
        return lag
    finally:
        consumer.close()
        admin.close()


def outbox_backlog(db: Database) -> dict[str, int]:
    """Events the broker has not acknowledged yet, per collection of a service's database."""
    backlog = {}
    for name in db.list_collection_names():
        if name == MARKERS:
            continue
        waiting = outbox_backlog_of(db[name])
        if waiting:
            backlog[name] = waiting
    return backlog
