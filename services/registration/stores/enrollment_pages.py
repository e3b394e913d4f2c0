"""New enrollments numbered on the pages lists are read from: "all", and one per participant.

Each stream is a `numbered_log` (entry `<stream>:<number>`, appended by unique insert). A turn's
new enrollments are numbered with one insert for all their entries. Where each stream ends is
found by reading forward from where this process last saw it end (what the other API process
appended since: a read by `_id` each), never by inserting into the numbers one at a time: under
a group enrollment's load those failed writes (one per number the other process had taken)
queued behind SQLite's one writer for minutes.
"""

import threading
from collections import OrderedDict

from pymongo.collection import Collection

from common.persistence import by_id, claims, numbered_log, together
from common.runtime import Runtime
from services.registration.stores import host_hints

PAGES = "enrollment_pages"
HINT_EVERY = 32
REMEMBERED_STREAMS = 20_000
MAX_ROUNDS = 100
# Officers' streams guessed without a read from where this process left them, for turns of
# more officers than this (a group's: a read each would be hundreds). A turn of a few single
# enrollments reads each stream's end first: two API processes enrolling the same officers
# move each other's streams, and a stale guess cost a second insert of the turn's entries
# (a write on FerretDB's one SQLite writer) where the read costs a read.
GUESS_FROM = 20

# Where each stream ended when this process last wrote or read it, by (database, stream).
_ends: OrderedDict[tuple[str, str], int] = OrderedDict()
_ends_lock = threading.Lock()


def _known(runtime: Runtime, stream: str) -> int | None:
    with _ends_lock:
        return _ends.get((runtime.db.name, stream))


def _ended(runtime: Runtime, stream: str, end: int) -> None:
    with _ends_lock:
        key = (runtime.db.name, stream)
        _ends[key] = max(end, _ends.get(key, 0))
        _ends.move_to_end(key)
        while len(_ends) > REMEMBERED_STREAMS:
            _ends.popitem(last=False)


def _end(runtime: Runtime, pages: Collection, stream: str) -> int:
    known = _known(runtime, stream)
    if known is None and stream == "all":
        return numbered_log.length(pages, stream)  # from the stored hint, read forward
    return numbered_log.first_gap(pages, stream, known or 0)


def number(runtime: Runtime, copies: list[dict]) -> None:
    """Number these new enrollments (copies as stored) on "all" and on each one's officer's
    stream, in order: one insert for all their entries and those of every turn of this process
    numbering at the same moment (`together`), each stream from its end; an entry whose number
    another process took meanwhile goes in the next round's insert, after its stream's end is
    read again (never by trying the numbers one insert at a time)."""
    together.write(("enrollment_pages", runtime.db.name), copies,
                   lambda batch: _number(runtime, batch))


def _number(runtime: Runtime, copies: list[dict]) -> list[None]:
    pending: dict[str, list[dict]] = {"all": []}
    for copy in copies:
        entry = {"enrollment_id": copy["_id"], "session_id": copy["session_id"],
                 "participant_id": copy["participant_id"]}
        pending["all"].append(entry)
        pending.setdefault(f"participant:{copy['participant_id']}", []).append(entry)
    pages = runtime.db[PAGES]
    guess = len(pending) > GUESS_FROM
    # The host's processes number the pages one at a time, each from where the last one left
    # every stream (`host_hints`): no read to find an end, no number lost to a sibling.
    with host_hints.exclusive(runtime, PAGES):
        before = max(_known(runtime, "all") or 0,
                     host_hints.known_end(runtime, PAGES, "all") or 0)
        for attempt in range(MAX_ROUNDS):
            pending = _insert(runtime, pages, pending, guess=guess and attempt == 0,
                              hinted=attempt == 0)
            if not pending:
                break
        else:
            raise RuntimeError("enrollment pages: numbers kept being taken")
    end = _known(runtime, "all") or 0
    if (end - 1) // HINT_EVERY != before // HINT_EVERY:
        # Where "all" ends, for a process that never looked (`numbered_log.length` reads it).
        by_id.write(pages, "all:end", {"$max": {"next": end}})
    return [None] * len(copies)


def _insert(runtime: Runtime, pages: Collection, pending: dict[str, list[dict]],
            guess: bool, hinted: bool = False) -> dict[str, list[dict]]:
    """One insert of every pending entry from its stream's end; those whose number was taken.

    On the first try (``hinted``) a stream starts where this host's processes last left it,
    without a read. On the first try of a large turn (``guess``) an officer's stream this
    process wrote before starts where it left it, without a read: only the other process's
    enrollment of her moves it, and a wrong guess fails inside the one insert (then her end is
    read)."""
    starts = {}
    # "all" last: an API process of another host may append to it all the time, so its end is
    # read the moment before the insert (read first, its entries in between would take the
    # numbers, and the insert be made again).
    for stream in sorted(pending, key=lambda s: s == "all"):
        known = host_hints.known_end(runtime, PAGES, stream) if hinted else None
        if known is not None:
            known = max(known, _known(runtime, stream) or 0)
        elif guess and stream != "all":
            known = _known(runtime, stream)
        starts[stream] = known if known is not None else _end(runtime, pages, stream)
    documents, placed, ends = [], [], {}
    for stream, entries in pending.items():
        start = starts[stream]
        for offset, entry in enumerate(entries):
            documents.append({**entry, "_id": numbered_log.entry_id(stream, start + offset)})
            placed.append((stream, entry))
        ends[stream] = start + len(entries)
    taken = claims.insert_each(pages, documents)
    for stream, end in ends.items():  # every number below is written (by us or another)
        _ended(runtime, stream, end)
        host_hints.ended(runtime, PAGES, stream, end)
    left: dict[str, list[dict]] = {}
    for index in sorted(taken):
        stream, entry = placed[index]
        left.setdefault(stream, []).append(entry)
    return left
