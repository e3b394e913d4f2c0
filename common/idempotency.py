"""`Idempotency-Key` on HTTP writes: a repeated key returns the first answer, once stored.

A key is looked at only once the caller is authorised (`common.auth.requires` calls
`replay_if_seen`), so a replay never lets anyone past the role check; it belongs to one
(subject, method, path) and one body; only answers to authorised requests are kept.
"""

import hashlib
import json
import re
from datetime import UTC, datetime, timedelta

from flask import current_app, g, request
from flask_smorest import abort
from pymongo.errors import DuplicateKeyError

from common.mongo import IDEMPOTENCY_KEYS

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
COLLECTION = IDEMPOTENCY_KEYS
STALE_AFTER = timedelta(seconds=60)


def _digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(len(part).to_bytes(8, "big") + part)
    return h.hexdigest()


def refuse_malformed_key():
    """Before any write: a key out of bounds is a 400, whoever sends it."""
    key = request.headers.get("Idempotency-Key")
    if request.method in WRITES and key is not None and not 1 <= len(key) <= 200:
        abort(400, message="Idempotency-Key must be 1 to 200 characters")


def replay_if_seen(subject: str):
    """Before an authorised write: answer a repeated key from the store, or claim the key."""
    key = request.headers.get("Idempotency-Key")
    if request.method not in WRITES or key is None:
        return None
    key_id = _digest(subject.encode(), request.method.encode(), request.path.encode(),
                     key.encode())
    body_hash = _digest(request.get_data())
    store = current_app.config["DB"]()[COLLECTION]
    now = datetime.now(UTC)
    claim = {"_id": key_id, "state": "in_progress", "body_hash": body_hash, "created_at": now}
    try:
        store.insert_one(claim)
    except DuplicateKeyError:
        first = store.find_one({"_id": key_id})
        if first is None or (first["state"] == "in_progress"
                             and _aware(first["created_at"]) < now - STALE_AFTER):
            store.replace_one({"_id": key_id}, claim, upsert=True)
        elif first.get("body_hash", body_hash) != body_hash:
            abort(422, message="this Idempotency-Key was used with a different request body; "
                               "send a new key for a new request",
                  errors={"headers": {"Idempotency-Key": ["Used with a different body."]}})
        elif first["state"] == "in_progress":
            abort(409, message="a request with this Idempotency-Key is still being processed")
        else:
            response = current_app.response_class(first["body"], status=first["status"],
                                                  content_type=first["content_type"])
            response.headers["Idempotent-Replayed"] = "true"
            return response
    g.idempotency_key_id = key_id
    return None


def remember(response):
    """After a write: keep the answer for the key, or free the key after a server error or a
    refusal of the caller (a token that ran out mid-request must not pin a 401 to the key)."""
    key_id = g.pop("idempotency_key_id", None)
    if key_id is None:
        return response
    store = current_app.config["DB"]()[COLLECTION]
    if response.status_code >= 500 or response.status_code in (401, 403):
        store.delete_one({"_id": key_id})
    else:
        body = response.get_data(as_text=True)
        store.update_one({"_id": key_id}, {"$set": {
            "state": "done", "status": response.status_code, "body": body,
            "content_type": response.content_type}})
        # An erasure may have landed between the view's write and this store (it turned the
        # answers stored before it): the app says whether this answer quotes someone erased.
        erased = current_app.config.get("ERASED_IN_ANSWER")
        who = erased(body) if erased else None
        if who:
            _turn_gone(store, {"_id": key_id}, f"{who} was erased")
    return response


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def gone(db, quoted: str, message: str) -> int:
    """Stored answers that quote ``quoted`` become a 410 with ``message``: a retry learns the
    record is gone instead of re-creating it, and nothing of the first answer (its body, the
    hash of the request body) is kept. Returns how many keys were turned."""
    return _turn_gone(db[COLLECTION], {"body": {"$regex": re.escape(quoted)}}, message)


def _turn_gone(store, query: dict, message: str) -> int:
    body = json.dumps({"code": 410, "status": "Gone", "message": message})
    return store.update_many(
        query, {"$set": {"status": 410, "body": body, "content_type": "application/json"},
                "$unset": {"body_hash": ""}}).modified_count
