"""A coordinator's list of officers registered in one request: each row judged as a single
registration would be, the accepted ones written together.

Cost, for any number of rows: one insert for all the profiles (each with its
`participant.registered` in its own outbox, so notifications acknowledges each officer, unless
the import said `acknowledge: false`), one for their page entries, and the publisher's batched
marker insert. A row refused as a duplicate of a stored officer costs a look-up of whom it
duplicates (a read of the whole collection on FerretDB), so only the first few are named.
"""

from services.registration import events
from services.registration.domain.errors import DuplicateParticipantError, InvalidFieldError
from services.registration.stores import participant_store as store

NAMED_DUPLICATES = 10


def register_many(runtime, rows: list[tuple[int, dict]],
                  acknowledge: bool = True) -> dict[int, dict]:
    """Register each (row number, validated profile); the outcome of each row: `{"status":
    201, "id"}`, `{"status": 422, "errors": {field: [..]}}` or `{"status": 409, "message",
    "existing_id" or "existing_row"}`. ``acknowledge=False``: registered for the record, their
    events ask notifications to send them no acknowledgement."""
    outcomes: dict[int, dict] = {}
    written: list[tuple[int, dict]] = []
    keys: dict[str, int] = {}
    for row, profile in rows:
        try:
            document = store.new_document(runtime, profile)
        except InvalidFieldError as exc:
            outcomes[row] = {"status": 422, "errors": {exc.field: [str(exc)]}}
            continue
        twin = _twin_in_request(keys, row, document)
        if twin is not None:
            outcomes[row] = twin
            continue
        written.append((row, document))
    stored, refused = runtime.insert_each(store.COLLECTION, [
        (document, [store.announcement(runtime, events.PARTICIPANT_REGISTERED, document,
                                       acknowledge)])
        for _, document in written])
    named = 0
    for position, (row, document) in enumerate(written):
        if position not in refused:
            outcomes[row] = {"status": 201, "id": document["_id"]}
            continue
        named += 1
        outcomes[row] = _duplicate(runtime, document, named <= NAMED_DUPLICATES)
    store.list_on_pages(runtime, [d for n, d in enumerate(stored) if n not in refused])
    return outcomes


def _twin_in_request(keys: dict[str, int], row: int, document: dict) -> dict | None:
    """A 409 naming the earlier row of this request with her email or service number."""
    for key, what in ((f"email:{document['email_key']}", "this email"),
                      (f"number:{document['service_number_key']}",
                       "this agency and service number")):
        if key in keys:
            return {"status": 409, "message": f"row {keys[key]} of this request has {what}",
                    "existing_row": keys[key]}
    keys[f"email:{document['email_key']}"] = row
    keys[f"number:{document['service_number_key']}"] = row
    return None


def _duplicate(runtime, document: dict, named: bool) -> dict:
    if not named:
        return {"status": 409, "message": "an officer with this email, or this agency and "
                                          "service number, is already registered"}
    try:
        store.check_duplicates(runtime, document)
    except DuplicateParticipantError as exc:
        return {"status": 409, "message": str(exc), "existing_id": exc.existing_id}
    # Refused, yet nobody holds her keys now (erased or changed since): she may be sent again.
    return {"status": 409, "message": "another registration with this email or service "
                                      "number was being written; send this row again"}

