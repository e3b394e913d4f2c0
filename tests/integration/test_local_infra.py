"""The local infrastructure answers like the real thing (it is): Kafka, FerretDB, the SMTP sink.

Assumes it is up (`make infra-up`, or the test runner); addresses come from the environment.
"""

import json
import os
import smtplib
import time
import urllib.request
import uuid
from email.message import EmailMessage

import pytest

from common.topics import ALL_TOPICS, PARTITIONS
from devstack.infra import ensure_topics
from devstack.infra.procs import InfraError

pytestmark = pytest.mark.integration

KAFKA = os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or "127.0.0.1:9092"
MONGO_URI = os.environ.get("MONGO_URI") or "mongodb://127.0.0.1:27017/"
SMTP_HOST = os.environ.get("SMTP_HOST") or "127.0.0.1"
SMTP_PORT = int(os.environ.get("SMTP_PORT") or "1025")
SMTP_HTTP_URL = os.environ.get("SMTP_HTTP_URL") or (
    None if os.environ.get("SMTP_HOST") else "http://127.0.0.1:1080"
)


@pytest.fixture
def admin():
    from kafka import KafkaAdminClient

    client = KafkaAdminClient(bootstrap_servers=KAFKA, client_id="test-local-infra",
                              bootstrap_timeout_ms=10_000)
    yield client
    client.close()


def test_every_topic_exists_with_its_partitions(admin):
    described = {t["name"]: t for t in admin.describe_topics(list(ALL_TOPICS))}
    for topic in ALL_TOPICS:
        assert topic in described, f"{topic} missing"
        assert described[topic]["error_code"] == 0
        assert len(described[topic]["partitions"]) == PARTITIONS


def test_ensure_topics_is_idempotent(admin):
    ensure_topics(KAFKA)
    assert ensure_topics(KAFKA) == []
    assert set(ALL_TOPICS) <= set(admin.list_topics())


def test_ensure_topics_creates_a_missing_topic(admin):
    topic = f"test.infra.{uuid.uuid4().hex[:8]}"
    try:
        assert ensure_topics(KAFKA, [topic]) == [topic]
        [described] = admin.describe_topics([topic])
        assert len(described["partitions"]) == PARTITIONS
    finally:
        admin.delete_topics([topic])


def test_a_message_round_trips_through_kafka():
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition

    # A throwaway topic: junk in the real topics would be dead-lettered by a running stack.
    topic = f"test.roundtrip.{uuid.uuid4().hex[:8]}"
    ensure_topics(KAFKA, [topic])
    marker = uuid.uuid4().hex.encode()
    producer = KafkaProducer(bootstrap_servers=KAFKA)
    meta = producer.send(topic, value=marker, partition=0).get(timeout=30)
    producer.close()
    consumer = KafkaConsumer(bootstrap_servers=KAFKA, enable_auto_commit=False)
    tp = TopicPartition(topic, 0)
    consumer.assign([tp])
    consumer.seek(tp, meta.offset)
    deadline = time.monotonic() + 30
    values = []
    while marker not in values and time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=1000).values():
            values += [r.value for r in records]
    consumer.close()
    assert marker in values


def test_ferretdb_pings_and_round_trips_a_document():
    from pymongo import MongoClient

    client = MongoClient(MONGO_URI, serverSelectionTimeoutMS=10_000)
    try:
        assert client.admin.command("ping")["ok"] == 1
        collection = client["test_local_infra"]["things"]
        key = uuid.uuid4().hex
        collection.insert_one({"_id": key, "name": "widget", "tags": ["a", "b"], "n": 3})
        assert collection.find_one({"_id": key}) == {
            "_id": key, "name": "widget", "tags": ["a", "b"], "n": 3
        }
        collection.delete_one({"_id": key})
        assert collection.find_one({"_id": key}) is None
    finally:
        client.close()


def _inbox(query: str = "") -> list[dict]:
    with urllib.request.urlopen(f"{SMTP_HTTP_URL}/messages{query}", timeout=5) as resp:  # noqa: S310
        return json.load(resp)


@pytest.mark.skipif(SMTP_HTTP_URL is None, reason="external SMTP server without an HTTP inbox")
def test_an_email_reaches_the_sink_inbox():
    subject = f"Welcome to the course {uuid.uuid4().hex[:8]} – é"
    recipient = f"officer-{uuid.uuid4().hex[:6]}@example.org"
    msg = EmailMessage()
    msg["From"] = "noreply@glo-act.example"
    msg["To"] = recipient
    msg["Subject"] = subject
    msg.set_content("You are registered.")
    with smtplib.SMTP(SMTP_HOST, SMTP_PORT, timeout=10) as smtp:
        smtp.send_message(msg)

    deadline = time.monotonic() + 10
    found = []
    while not found and time.monotonic() < deadline:
        found = [m for m in _inbox() if m["subject"] == subject]
        if not found:
            time.sleep(0.2)
    assert found, f"no message with subject {subject!r} in {SMTP_HTTP_URL}/messages"
    [message] = found
    assert message["to"] == [recipient]
    assert message["from"] == "noreply@glo-act.example"
    assert [m["id"] for m in _inbox(f"?to={recipient}")] == [message["id"]]

    with urllib.request.urlopen(f"{SMTP_HTTP_URL}/messages/{message['id']}", timeout=5) as resp:  # noqa: S310
        raw = resp.read()
    assert b"You are registered." in raw


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_second_sink_starts_is_reused_and_stops(monkeypatch, tmp_path):
    from devstack.infra import smtp

    monkeypatch.setenv("GLO_ACT_STATE", str(tmp_path))
    monkeypatch.delenv("SMTP_HOST", raising=False)
    lines: list[str] = []
    for _ in range(3):  # a port found free can be taken by another process before the sink binds
        monkeypatch.setenv("SMTP_PORT", str(_free_port()))
        monkeypatch.setenv("SMTP_HTTP_PORT", str(_free_port()))
        try:
            host, port, url, started = smtp.start(log=lines.append)
            break
        except InfraError as exc:
            if "Address already in use" not in str(exc):
                raise
    else:
        pytest.fail(f"three pairs of free ports were taken before the sink bound them: {lines}")
    try:
        assert started and url == smtp.local_http_url()
        assert smtp.ready(host, port)
        assert smtp.start(log=lines.append)[3] is False  # already running: reused
        assert "already running" in lines[-1]
    finally:
        assert smtp.stop(log=lines.append)
    assert not smtp.ready(host, port)
    assert (tmp_path / "logs" / "smtp.log").exists()
