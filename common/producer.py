"""Publishing events to Kafka: acks from all in-sync replicas, idempotent, key = subject."""

import logging
import os
import threading

from kafka import KafkaProducer

from common.envelope import CONTENT_TYPE, Event
from common.metrics import EVENTS_PUBLISHED

log = logging.getLogger(__name__)

HEADERS = [("content-type", CONTENT_TYPE.encode())]


class EventProducer:
    """A process-wide producer, created lazily (after a fork) and again after a failure."""

    def __init__(self, bootstrap: str, client_id: str, max_block_ms: int = 5000):
        self.bootstrap = bootstrap
        self.client_id = client_id
        self.max_block_ms = max_block_ms
        self._producer: KafkaProducer | None = None
        self._pid: int | None = None
        self._lock = threading.Lock()

    def _get(self) -> KafkaProducer:
        with self._lock:
            if self._producer is None or self._pid != os.getpid():
                self._producer = KafkaProducer(
                    bootstrap_servers=self.bootstrap,
                    client_id=self.client_id,
                    acks="all",
                    enable_idempotence=True,
                    linger_ms=2,
                    max_block_ms=self.max_block_ms,
                    bootstrap_timeout_ms=self.max_block_ms,
                    request_timeout_ms=10000,
                    delivery_timeout_ms=30000,
                )
                self._pid = os.getpid()
            return self._producer

    def send(self, topic: str, value: bytes, key: bytes | None, headers=None):
        """Send raw bytes; returns kafka-python's future."""
        return self._get().send(topic, value=value, key=key, headers=headers or HEADERS)

    def publish(self, topic: str, events: list[Event], timeout_s: float = 10.0) -> list[str]:
        """Publish in order and wait for the broker; returns the ids it acknowledged."""
        futures = []
        try:
            for event in events:
                futures.append((event, self.send(topic, event.to_bytes(), event.subject.encode())))
        except Exception as exc:  # a broker that cannot be reached: keep what was sent
            log.warning("publish interrupted", extra={"topic": topic, "error": repr(exc)})
        acked = []
        for event, future in futures:
            try:
                meta = future.get(timeout=timeout_s)
            except Exception as exc:
                log.warning("publish not acknowledged",
                            extra={"event_id": event.id, "topic": topic, "error": repr(exc)})
                self.reset()
                break
            acked.append(event.id)
            EVENTS_PUBLISHED.labels(event.type).inc()
            log.info("event published", extra={
                "event_id": event.id, "event_type": event.type, "subject": event.subject,
                "correlationid": event.correlationid, "topic": topic,
                "partition": meta.partition, "offset": meta.offset})
        return acked

    def reset(self) -> None:
        """Drop the producer so the next send builds a fresh one."""
        with self._lock:
            producer, self._producer = self._producer, None
        if producer is not None and self._pid == os.getpid():
            discard(producer)

    def close(self) -> None:
        with self._lock:
            producer, self._producer = self._producer, None
        if producer is not None and self._pid == os.getpid():
            producer.flush(timeout=10)
            producer.close(timeout=5)


def discard(producer: KafkaProducer) -> None:
    """Close a producer whose broker is gone without sending what it still holds (the outbox
    keeps those events). A plain close() waits for them, times out, and leaves the producer
    open, so its __del__ closes it again and prints a traceback to stderr."""
    sender = getattr(producer, "_sender", None)
    try:
        if sender is not None:  # kafka-python has no public abort; this is what close() uses
            sender.force_close()  # the sending thread fails the unsent batches and stops
            sender.join(1)
        producer.close(timeout=1)
    except Exception as exc:
        log.warning("producer not closed cleanly", extra={"error": repr(exc)})
