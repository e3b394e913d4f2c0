"""Officers' profiles on a listing page, read through this process's memory.

A page shows 20 profiles; read by `_id` one at a time (`$in` reads the whole collection on
FerretDB) they were 20 of a page's 21 reads. Profiles change rarely (a coordinator's edit, an
erasure), so every change of an existing profile also writes a new random token to one
document (`changed`), after the profile: a page reads that one document, and keeps the profiles
this process read only while the token is the one it read them under. A token is never written
twice, so even FerretDB's unisolated read-modify-write of that document cannot bring an old one
back. New officers need no token: nobody has read them yet.
"""

import threading
import time
import uuid
from collections import OrderedDict

from pymongo.collection import Collection

from common.persistence import by_id

CHANGED = "profiles:changed"
REMEMBERED = 5_000
# A backstop for a change whose token was not written (the database failed between the two
# writes): no profile is shown from memory after this long.
KEPT_SECONDS = 60.0
_kept: OrderedDict[tuple[str, str], tuple[float, dict]] = OrderedDict()
_tokens: dict[str, object] = {}
_lock = threading.Lock()


def changed(tokens: Collection) -> None:
    """Say that profiles changed: every process forgets the ones it keeps (call it after the
    change is written)."""
    by_id.set_fields(tokens, CHANGED, {"token": uuid.uuid4().hex}, upsert=True)


def each(profiles: Collection, tokens: Collection, ids: list[str],
         projection: dict | None = None) -> list[dict]:
    """The profiles of ``ids`` that exist, in order: from memory when nothing changed since."""
    database = profiles.database.name
    token = (by_id.get(tokens, CHANGED) or {}).get("token")
    now = time.monotonic()
    with _lock:
        if _tokens.get(database, token) != token:
            for key in [k for k in _kept if k[0] == database]:
                del _kept[key]
        _tokens[database] = token
        kept = {i: _kept[(database, i)][1] for i in ids if (database, i) in _kept
                and now - _kept[(database, i)][0] < KEPT_SECONDS}
    found = []
    for participant_id in ids:
        profile = kept.get(participant_id) or by_id.get(profiles, participant_id, projection)
        if profile is None:
            continue
        found.append(profile)
        if participant_id not in kept:
            _remember(database, token, participant_id, profile, now)
    return found


def _remember(database: str, token, participant_id: str, profile: dict, now: float) -> None:
    with _lock:
        if _tokens.get(database) != token:
            return  # read under an older token: not kept
        _kept[(database, participant_id)] = (now, profile)
        _kept.move_to_end((database, participant_id))
        while len(_kept) > REMEMBERED:
            _kept.popitem(last=False)
