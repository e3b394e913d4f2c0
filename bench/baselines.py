"""What the stack underneath allows: raw pymongo inserts, raw Kafka round trips, bare Flask."""

import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from pymongo import MongoClient

from bench import loadgen
from devstack.infra import ensure_topics


def _participant_like(n: int) -> dict:
    return {"_id": str(uuid.uuid4()), "given_name": "Ayesha", "family_name": f"Khan {n}",
            "gender": "female", "agency": "Federal Investigation Agency",
            "email": f"bench.{n}@example.org", "email_key": f"bench.{n}@example.org",
            "preferred_language": "en", "registered_at": datetime.now(UTC),
            "consent": {"policy_version": "2021-01", "given_at": datetime.now(UTC)}}


def pymongo_inserts(uri: str, database: str, seconds: float = 5) -> dict:
    """insert_one of participant-sized documents in a loop, one process, one thread."""
    collection = MongoClient(uri)[database]["raw_inserts"]
    collection.create_index("email_key", unique=True)
    count, began = 0, time.monotonic()
    while time.monotonic() - began < seconds:
        collection.insert_one(_participant_like(count))
        count += 1
    elapsed = time.monotonic() - began
    return {"inserts": count, "seconds": round(elapsed, 2), "per_second": count / elapsed}


def kafka_round_trips(bootstrap: str, topic: str, count: int = 300) -> dict:
    """Produce one message (acks=all, idempotent), wait until a consumer reads it; repeat."""
    ensure_topics(bootstrap, [topic])
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=0)
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                             enable_auto_commit=False, fetch_max_wait_ms=5)
    partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
    consumer.assign(partitions)
    consumer.seek_to_end()
    for partition in partitions:
        consumer.position(partition)
    latencies = []
    try:
        for n in range(count):
            marker = f"{n}-{uuid.uuid4().hex}".encode()
            sent = time.perf_counter()
            producer.send(topic, marker, key=b"k")
            producer.flush()
            seen = False
            while not seen:
                for batch in consumer.poll(timeout_ms=100).values():
                    seen = seen or any(r.value == marker for r in batch)
            latencies.append((time.perf_counter() - sent) * 1000)
    finally:
        producer.close()
        consumer.close()
    latencies.sort()
    return {"round_trips": count, "p50_ms": statistics.median(latencies),
            "p95_ms": latencies[int(0.95 * (count - 1))],
            "p99_ms": latencies[int(0.99 * (count - 1))],
            "per_second": count / (sum(latencies) / 1000)}


def bare_flask(port: int, workers: int, clients: int, seconds: float) -> dict:
    """A do-nothing Flask endpoint under the same gunicorn settings as the services."""
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers",
         str(workers), "--worker-class", "gthread", "--threads", "4", "--log-level", "warning",
         "bench.bare:app"], start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}/nothing"
        _wait_http(url)
        return loadgen.run(url, method="POST", body="{}",
                           headers={"Content-Type": "application/json"},
                           clients=clients, seconds=seconds)
    finally:
        server.terminate()
        server.wait(timeout=20)


def _wait_http(url: str, timeout_s: float = 30) -> None:
    import requests

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout_s}s")
