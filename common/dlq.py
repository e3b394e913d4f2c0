"""Dead letters: list what a topic's DLQ holds, and replay it onto the original topic.

A replayed message goes back to its original topic unchanged (same event id). Every consumer group
of that topic sees it again; those that had handled it skip it by its id, the one that had failed
applies it. The replay group's committed offset means a message is replayed once.
"""

import logging
import time
from dataclasses import dataclass

from kafka import KafkaConsumer, TopicPartition
from kafka.structs import OffsetAndMetadata

from common.envelope import Event
from common.producer import EventProducer
from common.topics import dlq

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeadLetter:
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: dict[str, bytes]

    @property
    def event_id(self) -> str | None:
        try:
            return Event.from_bytes(self.value).id
        except Exception:
            return None

    def summary(self) -> dict:
        h = {k: v.decode(errors="replace") for k, v in self.headers.items()}
        return {"partition": self.partition, "offset": self.offset, "event_id": self.event_id,
                "group": h.get("dlq-consumer-group"), "attempts": h.get("dlq-attempts"),
                "error": h.get("dlq-error"), "from": h.get("dlq-original-topic")}


def _read(consumer: KafkaConsumer, idle_s: float) -> list:
    records, idle_since = [], time.monotonic()
    while time.monotonic() - idle_since < idle_s:
        batches = consumer.poll(timeout_ms=300)
        for batch in batches.values():
            records.extend(batch)
        if batches:
            idle_since = time.monotonic()
    return records


def _letter(record) -> DeadLetter:
    return DeadLetter(record.partition, record.offset, record.key, record.value,
                      dict(record.headers or []))


def list_dead_letters(bootstrap: str, topic: str, idle_s: float = 1.5) -> list[DeadLetter]:
    """Everything in ``topic``'s DLQ, oldest first per partition."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                             enable_auto_commit=False)
    try:
        partitions = consumer.partitions_for_topic(dlq(topic)) or set()
        consumer.assign([TopicPartition(dlq(topic), p) for p in partitions])
        consumer.seek_to_beginning()
        return [_letter(r) for r in _read(consumer, idle_s)]
    finally:
        consumer.close()


def replay(bootstrap: str, topic: str, replay_group: str, producer: EventProducer,
           only_group: str | None = None, idle_s: float = 1.5) -> int:
    """Republish ``topic``'s dead letters not yet replayed; returns how many were republished.

    ``only_group`` replays only the letters a given consumer group dead-lettered.
    """
    consumer = KafkaConsumer(dlq(topic), bootstrap_servers=bootstrap, group_id=replay_group,
                             enable_auto_commit=False, auto_offset_reset="earliest")
    replayed = 0
    try:
        for record in _read(consumer, idle_s):
            letter = _letter(record)
            group = letter.headers.get("dlq-consumer-group", b"").decode()
            if only_group is None or group == only_group:
                headers = [(k, v) for k, v in letter.headers.items() if not k.startswith("dlq-")]
                headers.append(("dlq-replayed-from", f"{record.partition}:{record.offset}"
                                .encode()))
                producer.send(topic, letter.value, letter.key, headers).get(timeout=30)
                replayed += 1
                log.info("dead letter replayed", extra={"event_id": letter.event_id,
                                                        "topic": topic, "group": group})
            consumer.commit({TopicPartition(record.topic, record.partition):
                             OffsetAndMetadata(record.offset + 1, "", -1)})
    finally:
        consumer.close()
    return replayed
