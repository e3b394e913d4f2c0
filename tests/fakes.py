"""An in-memory Runtime for unit tests: stores and decisions without a database or a broker.

`FakeRuntime` is the real `common.runtime.Runtime` (its `insert`, `update` and `event` run
unchanged, so events travel with the write exactly as in production) on a `mongomock` database,
with a publisher that records what a write published instead of sending it to Kafka.
mongomock was chosen over a hand-written store: the stores use filters with `$ne` and
`$exists`, `$addToSet`/`$pullAll`, sorts, `distinct` and unique indexes, which mongomock
implements and a small fake would have to grow into. It raises pymongo's own errors
(`DuplicateKeyError`), so the stores' races are decided the same way.
"""

import uuid
from collections.abc import Iterable

import mongomock
from pymongo import DeleteOne, InsertOne, UpdateOne
from pymongo.collection import Collection

from common.config import load
from common.envelope import Event
from common.runtime import Runtime


def _bulk_write(collection, requests, ordered: bool = True, **_):
    """mongomock's own bulk_write cannot take this pymongo's operations (their `sort`): apply
    each in turn, which is what a bulk write does to the documents."""
    for request in requests:
        if isinstance(request, UpdateOne):
            collection.update_one(request._filter, request._doc, upsert=request._upsert)
        elif isinstance(request, InsertOne):
            collection.insert_one(request._doc)
        elif isinstance(request, DeleteOne):
            collection.delete_one(request._filter)
        else:
            raise NotImplementedError(type(request).__name__)


mongomock.Collection.bulk_write = _bulk_write

_find = mongomock.Collection.find


def _find_leaving_the_projection_alone(collection, filter=None, projection=None, *args, **kwargs):
    """mongomock writes `_id` into the projection dict it is given; the services share theirs
    as module constants (`documents.HIDDEN`), so a unit test would change what every later
    test in the process reads (sessions listed without their `_id`). Give it a copy."""
    if isinstance(projection, dict):
        projection = dict(projection)
    return _find(collection, filter, projection, *args, **kwargs)


mongomock.Collection.find = _find_leaving_the_projection_alone


class CountingReads:
    """A collection that counts the reads by `find_one` made through it."""

    def __init__(self, collection):
        self.collection, self.reads = collection, 0

    def __getattr__(self, name):
        return getattr(self.collection, name)

    def find_one(self, *args, **kwargs):
        self.reads += 1
        return self.collection.find_one(*args, **kwargs)


class RecordingPublisher:
    """Keeps every event a write published, in order, instead of sending it."""

    def __init__(self):
        self.events: list[Event] = []

    def publish_soon(self, collection: Collection, outbox: list[dict],
                     fresh_ids: Iterable[str] = (), doc_id: object = None) -> None:
        fresh = set(fresh_ids)
        self.events += [Event.from_dict(entry["event"]) for entry in outbox
                        if entry["id"] in fresh]

    def register(self, database) -> None:
        """Nothing to register: no relay reads this in-memory database."""

    def types(self, subject: str | None = None) -> list[str]:
        """The types published, in order (about ``subject`` only, when given)."""
        return [e.type for e in self.events if subject is None or e.subject == subject]


class FakeRuntime(Runtime):
    """A service's Runtime on its own in-memory database (fresh for each instance)."""

    def __init__(self, service: str, topic: str | None = None, indexes=None):
        self.settings = load(service)
        self.topic = topic or f"{service}.events"
        self.publisher = RecordingPublisher()
        self._client = mongomock.MongoClient(tz_aware=True)
        # A name of its own: module-level caches keyed by database name never cross tests.
        self._database = self._client[f"unit_{service}_{uuid.uuid4().hex[:12]}"]
        self._indexes = indexes
        self._prepared = indexes is None
        self.prepare()

    @property
    def db(self):
        return self._database

    @property
    def published(self) -> list[Event]:
        return self.publisher.events

    def outbox_relay(self, collections: list[str]):
        raise NotImplementedError("the fake publishes on write; there is nothing to relay")
