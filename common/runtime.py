"""What a service's views and handlers share in one process: settings, database, publishing."""

import os

from pymongo import ReturnDocument
from pymongo.database import Database

from common import outbox, outbox_relay
from common.config import Settings
from common.envelope import Event, new_event
from common.logs import correlation_id
from common.mongo import database
from common.persistence import claims
from common.producer import EventProducer


class Runtime:
    """One per process; the database client and the producer are made lazily, after a fork."""

    def __init__(self, settings: Settings, topic: str, indexes=None):
        self.settings = settings
        self.topic = topic
        self._indexes = indexes
        self._prepared = indexes is None
        self.producer = EventProducer(settings.kafka_bootstrap,
                                      client_id=f"{settings.stack}.{settings.service}")
        # It beats as often as the relays look (see `common.outbox_processes`).
        self.publisher = outbox.Publisher(self.producer, beat_s=settings.relay_interval_s)
        self._db: tuple[int, Database] | None = None

    def prepare(self) -> None:
        """Create this service's indexes once the database answers (idempotent, cheap after)."""
        if not self._prepared:
            self._indexes(self)
            self._prepared = True

    @property
    def db(self) -> Database:
        # Kept per process (a request reaches it several times); made again after a fork.
        kept = self._db
        if kept is None or kept[0] != os.getpid():
            kept = self._db = (os.getpid(), database(self.settings))
        return kept[1]

    def event(self, type: str, subject: str, data: dict, cause: Event | None = None) -> Event:
        """An event of this service, correlated with the request or the event that caused it."""
        if cause is not None:
            return cause.caused(type, subject, data, self.settings.service)
        return new_event(type, subject, data, self.settings.service, correlation_id.get())

    def insert(self, collection: str, document: dict, events: list[Event]) -> dict:
        """Insert an aggregate together with its events, then publish them promptly."""
        if events:
            self.publisher.register(self.db)  # before the write: a crash after it is seen
        stored = outbox.on_insert(document, self.topic, events)
        self.db[collection].insert_one(stored)
        if events:
            self.publisher.publish_soon(self.db[collection], stored["outbox"],
                                        fresh_ids=[e.id for e in events], doc_id=stored["_id"])
        return stored

    def insert_each(self, collection: str, written: list[tuple[dict, list[Event]]]
                    ) -> tuple[list[dict], set[int]]:
        """Insert many aggregates with their events in one unordered insert, then publish the
        events of those stored; (the documents as stored, the positions refused as duplicates:
        those documents were not written and their events are not published)."""
        if any(events for _, events in written):
            self.publisher.register(self.db)
        stored = [outbox.on_insert(document, self.topic, events) for document, events in written]
        refused = claims.insert_each(self.db[collection], stored)
        for position, (document, (_, events)) in enumerate(zip(stored, written, strict=True)):
            if events and position not in refused:
                self.publisher.publish_soon(self.db[collection], document["outbox"],
                                            fresh_ids=[e.id for e in events],
                                            doc_id=document["_id"])
        return stored, refused

    def update(self, collection: str, query: dict, update: dict,
               events: list[Event]) -> dict | None:
        """Apply ``update`` to the one document matching ``query``, with its events atomically.

        Returns the updated document, or None when nothing matched (and nothing was written).
        """
        if events:
            self.publisher.register(self.db)
            update = outbox.on_update(update, self.topic, events)
        document = self.db[collection].find_one_and_update(
            query, update, return_document=ReturnDocument.AFTER)
        if document is not None and events:
            self.publisher.publish_soon(self.db[collection], document.get("outbox", []),
                                        fresh_ids=[e.id for e in events],
                                        doc_id=document["_id"])
        return document

    def outbox_relay(self, collections: list[str]) -> outbox_relay.OutboxRelay:
        return outbox_relay.OutboxRelay([self.db[c] for c in collections], self.producer,
                                  grace_s=self.settings.relay_grace_s,
                                  quiet_s=self.settings.relay_quiet_s)
