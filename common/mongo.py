"""One MongoDB client per process (created after a fork), and this service's database."""

import os
import threading

from pymongo import MongoClient
from pymongo.database import Database

# Collections every service has, named here so that importing a name costs no Flask.
PROCESSED_EVENTS = "processed_events"
IDEMPOTENCY_KEYS = "idempotency_keys"

_lock = threading.Lock()
_clients: dict[tuple[int, str], MongoClient] = {}


def client(uri: str) -> MongoClient:
    key = (os.getpid(), uri)
    with _lock:
        if key not in _clients:
            _clients[key] = MongoClient(uri, serverSelectionTimeoutMS=3000,
                                        connectTimeoutMS=2000, socketTimeoutMS=10000,
                                        tz_aware=True, uuidRepresentation="standard")
        return _clients[key]


def database(settings) -> Database:
    """The service's own database; no service reads another's."""
    return client(settings.mongo_uri)[settings.database]
