"""At-least-once consumption: one registry of handlers, idempotent by event id, retries, DLQ.

The loop commits an offset only after the handler's effect is stored (or the message was
dead-lettered), so a crash replays rather than loses. The processed-events collection (unique
`_id` = event id) turns those replays into no-ops.

A poll's messages are handled as one batch (`Dispatcher.dispatch_batch`): handlers may hold back
writes that many events share (a stream's append, say) for the registry's `after_batch`
flushers, run once the batch is handled; only then are the handled events recorded, in one
insert. A crash before that replays the batch, which handlers must tolerate (they already do: a
failed attempt is retried). A batch that fails as a whole is replayed too, maybe by another
worker: what it held back is dropped (`Registry.on_failed_batch`), not written later.
"""

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from marshmallow import Schema, ValidationError
from pymongo.errors import BulkWriteError, ConnectionFailure, PyMongoError

from common.backoff import backoff_delay
from common.envelope import Event
from common.logs import correlation_id
from common.metrics import EVENTS_CONSUMED, HANDLER_FAILURES
from common.persistence import by_id

log = logging.getLogger(__name__)

Handler = Callable[[Event, dict], None]
DUPLICATE_KEY = 11000


@dataclass(frozen=True)
class Subscription:
    """``repeat_safe``: the handler's effect is keyed by the event itself (a unique index on
    its id, a decision's sequence), so a repeat changes nothing: the read of the processed
    events before handling it is skipped (it is still recorded)."""

    topic: str
    event_type: str
    schema: Schema
    handler: Handler
    repeat_safe: bool = False


@dataclass
class Registry:
    """The visible list of what a service consumes: (topic, event type, payload schema, handler)."""

    subscriptions: dict[tuple[str, str], Subscription] = field(default_factory=dict)
    flushers: list[Callable[[], None]] = field(default_factory=list)
    preparers: list[Callable[[list[Event]], None]] = field(default_factory=list)
    droppers: list[Callable[[], None]] = field(default_factory=list)

    def on(self, topic: str, event_type: str, schema: Schema,
           repeat_safe: bool = False) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.subscriptions[(topic, event_type)] = Subscription(topic, event_type, schema,
                                                                   handler, repeat_safe)
            return handler
        return register

    def after_batch(self, flush: Callable[[], None]) -> None:
        """Run ``flush`` once a batch's handlers are done, before its events are recorded."""
        self.flushers.append(flush)

    def on_failed_batch(self, drop: Callable[[], None]) -> None:
        """Run ``drop`` when a batch fails as a whole (nothing of it is recorded or committed:
        its events come again, to this worker or, after a rebalance, to another, which records
        them and what follows them): what its handlers held for the flush is dropped, never
        written later over what that worker recorded."""
        self.droppers.append(drop)

    def before_batch(self, prepare: Callable[[list[Event]], None]) -> None:
        """Run ``prepare`` with a batch's events (those of a subscription, in order) before
        its handlers: it may read together what they will read one by one. A handler must not
        count on it (a handler retried alone, a read that failed)."""
        self.preparers.append(prepare)

    @property
    def topics(self) -> list[str]:
        return sorted({topic for topic, _ in self.subscriptions})

    def find(self, topic: str, event_type: str) -> Subscription | None:
        return self.subscriptions.get((topic, event_type))


class ProcessedEvents:
    """Event ids whose effect is stored, in this service's own database."""

    def __init__(self, collection):
        self.collection = collection

    def seen(self, event_id: str) -> bool:
        return self.collection.find_one({"_id": event_id}, {"_id": 1}) is not None

    def seen_many(self, event_ids: Iterable[str]) -> set[str]:
        """Those of ``event_ids`` already recorded: one read by `_id` each, made side by side,
        so that a batch waits about as long as for one (a poll of 100 events read one after
        the other was a round trip per event before any handler ran)."""
        found = by_id.side_by_side(self.seen, list(dict.fromkeys(event_ids)))
        return {i for i, seen in found.items() if seen}

    def record(self, event: Event) -> None:
        self.record_many([event])

    def record_many(self, events: list[Event]) -> None:
        """Record several in one insert (one already recorded is left as it is)."""
        if not events:
            return
        now = datetime.now(UTC)
        try:
            self.collection.insert_many([{"_id": e.id, "type": e.type, "processed_at": now}
                                         for e in events], ordered=False)
        except BulkWriteError as exc:
            if any(e.get("code") != DUPLICATE_KEY for e in exc.details.get("writeErrors", [])):
                raise


@dataclass(frozen=True)
class Outcome:
    action: str  # "handled", "duplicate", "ignored", "dead_letter"
    attempts: int = 0
    error: str | None = None


class DependencyUnavailableError(Exception):
    """The database cannot be reached: the message must wait, not be dead-lettered."""


class Dispatcher:
    """Decides and applies what happens to one message; knows nothing of Kafka's API."""

    def __init__(self, registry: Registry, processed: ProcessedEvents, max_attempts: int = 5,
                 backoff_s: float = 0.2, sleep: Callable[[float], None] = time.sleep):
        self.registry = registry
        self.processed = processed
        self.max_attempts = max_attempts
        self.backoff_s = backoff_s
        self.sleep = sleep

    def dispatch(self, topic: str, raw: bytes) -> Outcome:
        return self.dispatch_batch([(topic, raw)])[0]

    def dispatch_batch(self, messages: list[tuple[str, bytes]]) -> list[Outcome]:
        """Handle (topic, raw message) pairs in order, run the flushers, then record the
        handled events in one insert; the outcome of each, in order. If that fails, what the
        batch's handlers held is dropped (`Registry.on_failed_batch`) and the error raised."""
        try:
            return self._dispatch_batch(messages)
        except Exception:
            for drop in self.registry.droppers:
                drop()
            raise

    def _dispatch_batch(self, messages: list[tuple[str, bytes]]) -> list[Outcome]:
        handled: set[str] = set()  # recorded only at the end: a repeat within it is skipped
        parsed = [(topic, raw, _parse(raw)) for topic, raw in messages]
        seen = self._seen_before([(topic, event) for topic, _, event in parsed])
        self._prepare([event for topic, _, event in parsed if isinstance(event, Event)
                       and self.registry.find(topic, event.type) is not None])
        results = [self._dispatch(topic, raw, handled, event, seen)
                   for topic, raw, event in parsed]
        try:
            for flush in self.registry.flushers:
                flush()
            self.processed.record_many([event for outcome, _, event in results
                                        if outcome.action == "handled"])
        except ConnectionFailure as exc:
            raise DependencyUnavailableError(type(exc).__name__) from exc
        for outcome, event_type, _ in results:
            EVENTS_CONSUMED.labels(event_type, outcome.action).inc()
        return [outcome for outcome, _, _ in results]

    def _prepare(self, events: list[Event]) -> None:
        """The registry's preparers; one that fails only leaves its handlers to read alone."""
        for prepare in self.registry.preparers:
            try:
                prepare(events)
            except ConnectionFailure as exc:
                raise DependencyUnavailableError(type(exc).__name__) from exc
            except PyMongoError as exc:
                log.warning("batch preparation failed", extra={"error": _describe(exc)})

    def _seen_before(self, events: list[tuple[str, Event | ValidationError]]) -> set[str] | None:
        """The batch's events already recorded, among those whose handler needs to know, read
        together before any is handled; None if they could not be (each is then read before
        it is handled, as on a retry)."""
        asked = [event.id for topic, event in events if isinstance(event, Event)
                 and (s := self.registry.find(topic, event.type)) is not None
                 and not s.repeat_safe]
        seen_many = getattr(self.processed, "seen_many", None)
        if not asked or seen_many is None:
            return None
        try:
            return seen_many(asked)
        except ConnectionFailure as exc:
            raise DependencyUnavailableError(type(exc).__name__) from exc
        except PyMongoError:
            return None

    def _dispatch(self, topic: str, raw: bytes, handled: set[str],
                  event: Event | ValidationError | None = None,
                  seen: set[str] | None = None) -> tuple[Outcome, str, Event | None]:
        if event is None:
            event = _parse(raw)
        if isinstance(event, ValidationError):  # not an event at all: retrying cannot help
            return (Outcome("dead_letter", attempts=1,
                            error=f"invalid envelope: {event.messages}"), "invalid", None)
        correlation_id.set(event.correlationid)
        subscription = self.registry.find(topic, event.type)
        if subscription is None:
            return Outcome("ignored"), event.type, event
        ids = {"event_id": event.id, "event_type": event.type, "subject": event.subject}
        last_error = None
        for attempt in range(1, self.max_attempts + 1):
            try:
                if event.id in handled or (not subscription.repeat_safe and (
                        event.id in seen if seen is not None and attempt == 1
                        else self.processed.seen(event.id))):
                    log.info("duplicate event skipped", extra=ids)
                    return Outcome("duplicate", attempts=attempt), event.type, event
                payload = subscription.schema.load(event.data)
                subscription.handler(event, payload)
                handled.add(event.id)
                log.info("event consumed", extra={**ids, "attempts": attempt})
                return Outcome("handled", attempts=attempt), event.type, event
            except ConnectionFailure as exc:
                raise DependencyUnavailableError(type(exc).__name__) from exc
            except Exception as exc:
                HANDLER_FAILURES.labels(event.type).inc()
                last_error = _describe(exc)
                log.warning("handler failed", extra={**ids, "attempt": attempt,
                                                     "error": last_error})
                if attempt < self.max_attempts:
                    self.sleep(backoff_delay(attempt, self.backoff_s))
        return (Outcome("dead_letter", attempts=self.max_attempts, error=last_error),
                event.type, event)


def _parse(raw: bytes) -> Event | ValidationError:
    try:
        return Event.from_bytes(raw)
    except ValidationError as exc:
        return exc


def _describe(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return f"invalid payload: {exc.messages}"
    if isinstance(exc, PyMongoError):
        return f"database error: {type(exc).__name__}"
    return f"{type(exc).__name__}: {exc}"[:500]


def dlq_headers(original: list[tuple[str, bytes]], group: str, outcome: Outcome, topic: str,
                partition: int, offset: int) -> list[tuple[str, bytes]]:
    """The original headers plus where the message came from and why it failed."""
    kept = [(k, v) for k, v in original if not k.startswith("dlq-")]
    return kept + [
        ("dlq-consumer-group", group.encode()),
        ("dlq-error", (outcome.error or "unknown").encode()[:1000]),
        ("dlq-attempts", str(outcome.attempts).encode()),
        ("dlq-original-topic", topic.encode()),
        ("dlq-original-partition", str(partition).encode()),
        ("dlq-original-offset", str(offset).encode()),
    ]
