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

from pymongo.errors import DuplicateKeyError

from common.envelope import Event
from common.persistence import by_id
from common.runtime import Runtime
from services.notifications.domain.errors import NotFoundError
from services.notifications.domain.recipient_rules import CONTACT_FIELDS, language

COLLECTION = "recipients"
ERASED = "erased_recipients"
# The sender reads a recipient again after this long at most: a change this process makes
# (her projection, her contact, her erasure) is seen at once; one made elsewhere (another
# worker, a preference over HTTP) within KEPT_S, no later than a batch read before it would be.
KEPT_S = 5.0
_kept: dict[tuple[str, str], tuple[float, dict]] = {}
_kept_lock = threading.Lock()
_forgotten = 0  # how many times this process wrote a recipient


def _project(runtime: Runtime, recipient_id: str, role: str, event: Event,
             preferred_language: str | None) -> dict | None:
    if is_erased(runtime, recipient_id):
        return None  # an update that raced her erasure: nothing of it is kept
    recipient = {"role": role, "language": language(preferred_language), "erased": False,
                 "contact_fetched": False, "updated_at": datetime.now(UTC),
                 "source_event_id": event.id}
    # $set only these fields: preferences chosen over HTTP survive a profile update. Her
    # contact is dropped: the sender asks for the current one before the next message.
    by_id.write(runtime.db[COLLECTION], recipient_id,
                {"$set": recipient, "$unset": dict.fromkeys(CONTACT_FIELDS, "")})
    _forget(runtime, recipient_id)
    if is_erased(runtime, recipient_id):
        _scrub(runtime, recipient_id, event.id)
        return None
    return {"_id": recipient_id, **recipient}


def project_participant(runtime: Runtime, event: Event, payload: dict) -> dict | None:
    """Create or refresh a recipient from `registration.participant.registered` / `.updated`."""
    return _project(runtime, payload["participant_id"], "participant", event,
                    payload.get("preferred_language"))


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
