"""Prometheus metrics. With PROMETHEUS_MULTIPROC_DIR set (as `make run` does, one directory per
service), a service's `/metrics` adds up its gunicorn workers and its worker process."""

import time

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from common.config import metrics_multiprocess_dir

HTTP_REQUESTS = Counter("http_requests_total", "HTTP requests answered",
                        ["method", "route", "status"])
HTTP_LATENCY = Histogram("http_request_duration_seconds", "HTTP request latency",
                         ["method", "route"],
                         buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))
EVENTS_PUBLISHED = Counter("events_published_total", "Events the broker acknowledged", ["type"])
EVENTS_CONSUMED = Counter("events_consumed_total", "Events consumed, by outcome",
                          ["type", "outcome"])
HANDLER_FAILURES = Counter("handler_failures_total", "Handler attempts that raised", ["type"])
DLQ_MESSAGES = Counter("dlq_messages_total", "Messages sent to a dead-letter topic", ["topic"])


class BacklogCollector:
    """Outbox backlog and consumer lag, measured when scraped (cached for a few seconds)."""

    def __init__(self, measure, cache_s: float = 5.0):
        self.measure = measure  # () -> {"outbox": {collection: n}, "lag": {topic: n}}
        self.cache_s = cache_s
        self._cached: tuple[float, dict] | None = None

    def collect(self):
        if self._cached is None or time.monotonic() - self._cached[0] > self.cache_s:
            try:
                self._cached = (time.monotonic(), self.measure())
            except Exception:
                self._cached = (time.monotonic(), {})
        values = self._cached[1]
        outbox = GaugeMetricFamily("outbox_backlog", "Events waiting in outboxes",
                                   labels=["collection"])
        for collection, count in values.get("outbox", {}).items():
            outbox.add_metric([collection], count)
        lag = GaugeMetricFamily("consumer_lag", "Messages the worker group has not committed",
                                labels=["topic"])
        for topic, count in values.get("lag", {}).items():
            lag.add_metric([topic], count)
        yield outbox
        yield lag


def render(extra_collectors=()) -> tuple[bytes, str]:
    """The exposition text of this service (all its processes in multiprocess mode)."""
    if metrics_multiprocess_dir():
        counted = CollectorRegistry()
        MultiProcessCollector(counted)
    else:
        counted = REGISTRY
    measured = CollectorRegistry()
    for collector in extra_collectors:
        measured.register(collector)
    return generate_latest(counted) + generate_latest(measured), CONTENT_TYPE_LATEST
