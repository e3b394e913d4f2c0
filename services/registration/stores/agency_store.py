"""The managed list of agencies an officer may belong to."""

import time
import uuid
from datetime import UTC, datetime

from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from common.persistence import by_id
from common.runtime import Runtime
from services.registration.domain.errors import DuplicateAgencyError, UnknownAgencyError
from services.registration.domain.profile_rules import agency_key as name_key

COLLECTION = "agencies"
# The first cohort came from these two (see the press release); more are added over HTTP.
STARTING_LIST = ("Federal Investigation Agency", "Punjab Police")
# Every registration names an agency: the active list is kept in memory for this long. A name
# not in memory is always looked up again, so an agency added anywhere is usable at once; one
# retired in another process is still accepted here for at most this long.
CACHE_SECONDS = 10.0
_cache: dict[str, tuple[float, dict[str, str]]] = {}


def add(runtime: Runtime, name: str) -> dict:
    document = {"_id": str(uuid.uuid4()), "name": " ".join(name.split()),
                "name_key": name_key(name), "active": True, "created_at": datetime.now(UTC)}
    try:
        runtime.db[COLLECTION].insert_one(document)
    except DuplicateKeyError:
        existing = runtime.db[COLLECTION].find_one({"name_key": name_key(name)}, {"_id": 1})
        raise DuplicateAgencyError(existing["_id"] if existing else None) from None
    return document


def set_active(runtime: Runtime, agency_id: str, active: bool) -> dict:
    """Retire an agency (no new officers may name it) or bring it back."""
    collection = runtime.db[COLLECTION]
    by_id.set_fields(collection, agency_id, {"active": active})
    _cache.pop(runtime.db.name, None)
    stored = by_id.get(collection, agency_id)
    if stored is None:
        raise UnknownAgencyError(agency_id)
    return stored


def canonical(runtime: Runtime, name: str) -> str | None:
    """The listed spelling of an active agency, or None when it is not on the list."""
    key = name_key(name)
    loaded_at, active = _cache.get(runtime.db.name, (0.0, {}))
    if key in active and time.monotonic() - loaded_at < CACHE_SECONDS:
        return active[key]
    active = {a["name_key"]: a["name"]
              for a in runtime.db[COLLECTION].find({"active": True}, {"name_key": 1, "name": 1})}
    _cache[runtime.db.name] = (time.monotonic(), active)
    return active.get(key)


def listing(runtime: Runtime, active: bool | None, skip: int, limit: int):
    query = {} if active is None else {"active": active}
    collection = runtime.db[COLLECTION]
    found = collection.find(query).sort("name_key", ASCENDING).skip(skip).limit(limit)
    return list(found), collection.count_documents(query)


def ensure_indexes(runtime: Runtime) -> None:
    runtime.db[COLLECTION].create_index("name_key", unique=True)
    for name in STARTING_LIST:
        try:
            add(runtime, name)
        except DuplicateAgencyError:
            pass
