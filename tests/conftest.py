"""Shared fixtures: where the real infrastructure is, unique names, reading topics."""

import os
import time
import uuid

import pytest
from kafka import KafkaConsumer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import TopicAlreadyExistsError

# Tests, and the stacks they start, run on the repository's development secrets (as under
# `make test`), also when pytest is started by hand.
os.environ.setdefault("GLO_ACT_ENV", "development")


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    return os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or "127.0.0.1:9092"


@pytest.fixture(scope="session")
def mongo_uri() -> str:
    return os.environ.get("MONGO_URI") or "mongodb://127.0.0.1:27017/"


@pytest.fixture(scope="session")
def smtp_inbox() -> str:
    """The local SMTP sink's inbox as JSON (`/messages?to=ADDRESS`)."""
    return os.environ.get("SMTP_HTTP_URL") or "http://127.0.0.1:1080"


@pytest.fixture
def unique() -> str:
    """A short random name, so tests never see each other's data."""
    return uuid.uuid4().hex[:10]


@pytest.fixture(scope="session")
def make_topic(kafka_bootstrap):
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)

    def create(name: str, partitions: int = 3) -> str:
        try:
            admin.create_topics([NewTopic(name, partitions, 1)])
        except TopicAlreadyExistsError:
            pass
        return name

    yield create
    admin.close()


def read_topic(bootstrap: str, topic: str, until, timeout_s: float = 20.0,
               settle_s: float = 0.0) -> list:
    """Records of ``topic`` from the beginning, until ``until(records)`` holds or time runs out.

    ``settle_s`` keeps reading that much longer after the condition holds, to catch duplicates.
    """
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                             group_id=None)
    deadline = time.monotonic() + timeout_s
    try:
        partitions = None
        while not partitions and time.monotonic() < deadline:
            partitions = consumer.partitions_for_topic(topic)
            if not partitions:
                time.sleep(0.2)
        consumer.assign([TopicPartition(topic, p) for p in partitions or ()])
        consumer.seek_to_beginning()
        records: list = []
        settled_at = None
        while time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=200).values():
                records.extend(batch)
            if until(records):
                settled_at = settled_at or time.monotonic()
                if time.monotonic() - settled_at >= settle_s:
                    break
        return records
    finally:
        consumer.close()


def wait_for(predicate, timeout_s: float = 20.0, interval_s: float = 0.2):
    """Poll ``predicate`` until it returns something truthy; return it or fail clearly."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout_s}s")
        time.sleep(interval_s)


def remove_stack(name: str, mongo_uri: str, kafka_bootstrap: str) -> None:
    """Drop a throwaway stack's databases and topics (`STACK_NAME`/`TOPIC_PREFIX` = ``name``)."""
    from common.mongo import client
    from common.topics import catalogue

    for db in client(mongo_uri).list_database_names():
        if db.startswith(f"{name}_"):
            client(mongo_uri).drop_database(db)
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    admin.delete_topics(list(catalogue(f"{name}.")))
    admin.close()
