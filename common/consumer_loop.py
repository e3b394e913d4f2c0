"""The Kafka side of consumption: poll, dispatch, dead-letter, commit, leave cleanly."""

import logging
import os
import threading

from kafka import KafkaConsumer
from kafka.structs import OffsetAndMetadata

from common.config import worker_heartbeat_file
from common.dispatch import DependencyUnavailableError, Dispatcher, dlq_headers
from common.logs import correlation_id
from common.metrics import DLQ_MESSAGES
from common.producer import EventProducer
from common.topics import dlq

log = logging.getLogger(__name__)


def _heartbeat() -> None:
    """Touch the file a container healthcheck reads (only when WORKER_HEARTBEAT_FILE is set)."""
    path = worker_heartbeat_file()
    if path:
        with open(path, "a"):
            os.utime(path)


class ConsumerLoop:
    """Runs a Dispatcher over a consumer group until ``stop`` is set."""

    def __init__(self, bootstrap: str, group: str, topics: list[str], dispatcher: Dispatcher,
                 producer: EventProducer, client_id: str | None = None):
        self.bootstrap = bootstrap
        self.group = group
        self.topics = topics
        self.dispatcher = dispatcher
        self.producer = producer
        self.client_id = client_id or group
        self.consumer: KafkaConsumer | None = None

    def _connect(self) -> KafkaConsumer:
        consumer = KafkaConsumer(
            bootstrap_servers=self.bootstrap,
            group_id=self.group,
            client_id=self.client_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            # What a poll holds, and what the fetcher holds ahead of it, bounded: a backlog of
            # thousands of events waits in the broker, not in this process (the defaults let
            # a fetch bring 50 MB, 1 MB per partition).
            max_poll_records=100,
            max_partition_fetch_bytes=256 * 1024,
            fetch_max_bytes=1024 * 1024,
            session_timeout_ms=10000,
            heartbeat_interval_ms=2000,
            max_poll_interval_ms=120000,
            bootstrap_timeout_ms=5000,
        )
        consumer.subscribe(self.topics)
        return consumer

    def run(self, stop: threading.Event) -> None:
        log.info("consumer starting", extra={"group": self.group, "topics": self.topics})
        while not stop.is_set():
            try:
                if self.consumer is None:
                    self.consumer = self._connect()
                self._poll_once(stop)
                _heartbeat()
            except Exception as exc:
                log.warning("consumer error; reconnecting", extra={"error": repr(exc)})
                self._close()
                stop.wait(2)
        self._close()
        log.info("consumer stopped", extra={"group": self.group})

    def _poll_once(self, stop: threading.Event) -> None:
        """Handle a poll's records, every partition's, as one batch (its handlers share their
        writes, see `Dispatcher.dispatch_batch`: a stream many partitions append to is
        appended once), dead-letter what failed, then commit once (a commit is a broker round
        trip; a record handled but not committed is redelivered and skipped as a duplicate).
        Each partition's records keep their order."""
        batches = self.consumer.poll(timeout_ms=500)
        if not batches or stop.is_set():
            return  # what was polled is redelivered to whoever takes the partitions
        records = [(partition, record) for partition, part in batches.items()
                   for record in part]
        try:
            outcomes = self.dispatcher.dispatch_batch([(r.topic, r.value) for _, r in records])
        except DependencyUnavailableError as exc:
            log.warning("database unavailable; will retry the messages",
                        extra={"error": str(exc)})
            for partition, part in batches.items():
                self.consumer.seek(partition, part[0].offset)
            stop.wait(2)
            return
        finally:
            correlation_id.set(None)
        handled: dict = {}
        try:
            for (partition, record), outcome in zip(records, outcomes, strict=True):
                if outcome.action == "dead_letter":
                    self._dead_letter(record, outcome)
                handled[partition] = record.offset + 1
        finally:
            if handled:
                self.consumer.commit({partition: OffsetAndMetadata(offset, "", -1)
                                      for partition, offset in handled.items()})

    def _dead_letter(self, record, outcome) -> None:
        headers = dlq_headers(list(record.headers or []), self.group, outcome, record.topic,
                              record.partition, record.offset)
        future = self.producer.send(dlq(record.topic), record.value, record.key, headers)
        future.get(timeout=30)  # not acknowledged: raise, do not commit, retry the record
        DLQ_MESSAGES.labels(record.topic).inc()
        log.error("message dead-lettered", extra={
            "topic": record.topic, "partition": record.partition, "offset": record.offset,
            "attempts": outcome.attempts, "error": outcome.error})

    def _close(self) -> None:
        if self.consumer is not None:
            try:
                self.consumer.close(autocommit=False)
            except Exception as exc:
                log.warning("consumer close failed", extra={"error": repr(exc)})
            self.consumer = None

