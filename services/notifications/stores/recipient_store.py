"""Recipients: participants' and facilitators' contact details, kept by notifications alone.

Events carry no contact details: a recipient is projected from her events with her role and
language only, and the sender asks her owner (registration or sessions) for her contact the
first time it needs it, and again after each `participant.updated`. Erasure wins every race:
it first inserts a tombstone by `_id` (a unique insert: atomic on every database we run on), and
every write that could bring her contact back looks for the tombstone after writing, and scrubs
again if it is there.
"""

import threading
import time
from datetime import UTC, datetime

from pymongo import UpdateOne
from pymongo.errors import BulkWriteError, DuplicateKeyError

from common.envelope import Event
from common.persistence import by_id
from common.runtime import Runtime
from services.notifications.domain.errors import NotFoundError
from services.notifications.domain.recipient_rules import CONTACT_FIELDS, language

COLLECTION = "recipients"
DUPLICATE_KEY = 11000
ERASED = "erased_recipients"
# The sender reads a recipient again after this long at most: a change this process makes
# (her projection, her contact, her erasure) is seen at once; one made elsewhere (another
# worker, a preference over HTTP) within KEPT_S, no later than a batch read before it would be.
KEPT_S = 5.0
_kept: dict[tuple[str, str], tuple[float, dict]] = {}
_kept_lock = threading.Lock()
_forgotten = 0  # how many times this process wrote a recipient


def _projected(role: str, event: Event, preferred_language: str | None) -> dict:
    return {"role": role, "language": language(preferred_language), "erased": False,
            "contact_fetched": False, "updated_at": datetime.now(UTC),
            "source_event_id": event.id}


def _update(recipient: dict) -> dict:
    # $set only these fields: preferences chosen over HTTP survive a profile update. Her
    # contact is dropped: the sender asks for the current one before the next message.
    return {"$set": recipient, "$unset": dict.fromkeys(CONTACT_FIELDS, "")}


def _project(runtime: Runtime, recipient_id: str, role: str, event: Event,
             preferred_language: str | None) -> dict | None:
    if is_erased(runtime, recipient_id):
        return None  # an update that raced her erasure: nothing of it is kept
    recipient = _projected(role, event, preferred_language)
    by_id.write(runtime.db[COLLECTION], recipient_id, _update(recipient))
    _forget(runtime, recipient_id)
    if is_erased(runtime, recipient_id):
        _scrub(runtime, recipient_id, event.id)
        return None
    return {"_id": recipient_id, **recipient}


class HeldParticipants:
    """Participants' projections (`participant.registered` / `.updated`) held until a batch's
    handlers are done, then written together: one bulk write of their upserts and one read of
    the tombstones among them, where each event alone cost a tombstone read, an upsert and a
    second tombstone read (an import of 500 officers is 500 events in a row).

    Only the latest event of each officer in the batch is written (each sets the same fields).
    Erasure still wins: the tombstone is inserted before the eraser scrubs, so either the read
    after this write sees it (and scrubs again), or the eraser's scrub comes after this write.
    Kept until written: if the write fails, what is held stays for the retried handler's
    flush; written twice, a projection is the same.
    """

    def __init__(self):
        self.held: dict[str, tuple[Event, str | None]] = {}

    def hold(self, event: Event, payload: dict) -> None:
        participant_id = payload["participant_id"]
        self.held.pop(participant_id, None)  # the latest last
        self.held[participant_id] = (event, payload.get("preferred_language"))

    def write(self, runtime: Runtime) -> None:
        if not self.held:
            return
        held = list(self.held.items())
        collection = runtime.db[COLLECTION]
        updates = [(recipient_id, _update(_projected("participant", event, language_)))
                   for recipient_id, (event, language_) in held]
        for start in range(0, len(updates), by_id.UPDATES_PER_COMMAND):
            chunk = updates[start:start + by_id.UPDATES_PER_COMMAND]
            try:
                collection.bulk_write([UpdateOne({"_id": recipient_id}, update, upsert=True)
                                       for recipient_id, update in chunk], ordered=False)
            except BulkWriteError as exc:
                errors = exc.details.get("writeErrors", [])
                if any(error.get("code") != DUPLICATE_KEY for error in errors):
                    raise
                # Another writer created her first (FerretDB answers the upsert E11000).
                for error in errors:
                    by_id.write(collection, *chunk[error["index"]])
        ids = [recipient_id for recipient_id, _ in held]
        for recipient_id in ids:
            _forget(runtime, recipient_id)
        # `$in` on `_id` reads the whole tombstone collection on FerretDB: it holds only the
        # erased officers, far fewer than a batch's reads by `_id` would cost.
        for erased in runtime.db[ERASED].find({"_id": {"$in": ids}}, {"_id": 1}):
            _scrub(runtime, erased["_id"], self.held[erased["_id"]][0].id)
        self.held = {}

    def drop(self) -> None:
        """Its batch failed as a whole: redelivered (maybe to another worker, which may project
        a later update of hers), its events are projected again."""
        self.held = {}


def project_facilitator(runtime: Runtime, event: Event, payload: dict) -> dict | None:
    """A facilitator assigned to a session becomes a recipient too."""
    return _project(runtime, payload["facilitator_id"], "facilitator", event,
                    payload.get("preferred_language"))


def store_contact(runtime: Runtime, recipient: dict, contact: dict) -> dict | None:
    """Keep the contact her owner gave; None (and nothing kept) if she was erased meanwhile."""
    recipient_id = recipient["_id"]
    fields = {name: contact.get(name) for name in CONTACT_FIELDS}
    runtime.db[COLLECTION].update_one(
        {"_id": recipient_id},
        {"$set": {**fields, "contact_fetched": True, "fetched_at": datetime.now(UTC)}})
    _forget(runtime, recipient_id)
    if is_erased(runtime, recipient_id):
        _scrub(runtime, recipient_id, None)
        return None
    stored = get(runtime, recipient_id)
    if stored is not None and stored.get("source_event_id") != recipient.get("source_event_id"):
        # A profile update was projected while we asked: what we got may predate it, so the
        # next message asks again (this one goes with what we got).
        runtime.db[COLLECTION].update_one({"_id": recipient_id},
                                          {"$set": {"contact_fetched": False}})
        _forget(runtime, recipient_id)
    return {**(stored or recipient), **fields}


def erase(runtime: Runtime, event: Event | None, participant_id: str) -> None:
    """Scrub names and contact details for good; the id stays so the feed still counts what
    was sent."""
    try:
        runtime.db[ERASED].insert_one({"_id": participant_id, "at": datetime.now(UTC)})
    except DuplicateKeyError:
        pass  # erased before: scrub again all the same
    _scrub(runtime, participant_id, event.id if event else None)


def _scrub(runtime: Runtime, recipient_id: str, event_id: str | None) -> None:
    _forget(runtime, recipient_id)
    by_id.write(runtime.db[COLLECTION], recipient_id,
                {"$set": {**dict.fromkeys(CONTACT_FIELDS), "erased": True,
                          "contact_fetched": True, "updated_at": datetime.now(UTC),
                          "source_event_id": event_id}})
    _forget(runtime, recipient_id)


def is_erased(runtime: Runtime, recipient_id: str) -> bool:
    return by_id.get(runtime.db[ERASED], recipient_id, {"_id": 1}) is not None


def get(runtime: Runtime, recipient_id: str) -> dict | None:
    return by_id.get(runtime.db[COLLECTION], recipient_id)


def kept(runtime: Runtime, recipient_id: str) -> dict | None:
    """The recipient as read less than KEPT_S ago by this process (the sender sends her
    several messages in a row: read once), else as stored now."""
    key, now = (runtime.db.name, recipient_id), time.monotonic()
    with _kept_lock:
        found, forgotten = _kept.get(key), _forgotten
    if found is not None and now - found[0] < KEPT_S:
        return dict(found[1])
    recipient = get(runtime, recipient_id)
    with _kept_lock:
        # Not kept if this process wrote recipients while it read: what it read may be older.
        if recipient is not None and forgotten == _forgotten:
            if len(_kept) > 10000:
                _kept.clear()
            _kept[key] = (now, recipient)
    return recipient


def _forget(runtime: Runtime, recipient_id: str) -> None:
    """Written by this process: the next `kept` reads her again."""
    global _forgotten
    with _kept_lock:
        _kept.pop((runtime.db.name, recipient_id), None)
        _forgotten += 1


def found(runtime: Runtime, recipient_id: str) -> dict:
    """The recipient, or NotFoundError."""
    recipient = get(runtime, recipient_id)
    if recipient is None:
        raise NotFoundError(f"no recipient with id {recipient_id}")
    return recipient
