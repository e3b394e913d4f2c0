"""Every event the e2e run produced, on every topic, validates against docs/asyncapi.json.

Ordered after the other e2e tests (tests/e2e/conftest.py), so it reads what the whole run
produced; it loads the demo scenario first (a no-op when test_demo did), so it never has
nothing to check when run alone.
"""

import json
from collections import Counter

from kafka import KafkaConsumer, TopicPartition

from common.auth import mint
from common.config import load
from common.topics import catalogue
from operations import demo
from tests.asyncapi_contract import Catalogue
from tests.conftest import wait_for


def _everything_on(bootstrap: str, topics: list[str]) -> list:
    """Every record of ``topics`` from the beginning up to their current end."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                             group_id=None, consumer_timeout_ms=1000)
    try:
        partitions = [TopicPartition(topic, p) for topic in topics
                      for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(partitions)
        consumer.seek_to_beginning()
        end = consumer.end_offsets(partitions)
        records: list = []

        def caught_up() -> bool:
            for batch in consumer.poll(timeout_ms=500).values():
                records.extend(batch)
            return all(consumer.position(tp) >= end[tp] for tp in partitions)

        wait_for(caught_up, timeout_s=60)
        return records
    finally:
        consumer.close()


def test_every_event_of_the_run_validates_against_the_committed_asyncapi(stack,
                                                                          kafka_bootstrap):
    settings = load("e2e")
    token = mint(settings.jwt_secret, "e2e-contract", ["coordinator"], 3600,
                 settings.jwt_audience, settings.jwt_issuer)
    demo.load(stack.urls, token, say=lambda _: None)
    wait_for(lambda: _everything_on(kafka_bootstrap, [f"{stack.topic_prefix}"
                                                      "notifications.events"]), timeout_s=90)

    contract = Catalogue()
    # Dead-letter topics hold whatever a consumer refused, valid or not: not the contract.
    topics = [t for t in catalogue(stack.topic_prefix) if not t.endswith(".dlq")]
    records = _everything_on(kafka_bootstrap, topics)
    seen, problems = Counter(), []
    for record in records:
        try:
            event = json.loads(record.value)
        except ValueError as exc:
            problems.append(f"{record.topic} offset {record.offset}: not JSON ({exc})")
            continue
        seen[(record.topic.removeprefix(stack.topic_prefix), event.get("type"))] += 1
        problems += [f"{record.topic} {event.get('type')} {event.get('id')}: {problem}"
                     for problem in contract.problems(event)]
    print(f"{sum(seen.values())} events validated: " + ", ".join(
        f"{topic} {type_} x{n}" for (topic, type_), n in sorted(seen.items())))
    assert seen, "no event was read from the stack's topics: nothing was validated"
    assert {topic for topic, _ in seen} >= {"registration.events", "sessions.events",
                                            "notifications.events"}
    assert problems == [], f"{len(problems)} of {len(records)} events break docs/asyncapi.json:\n" \
        + "\n".join(problems[:50])
