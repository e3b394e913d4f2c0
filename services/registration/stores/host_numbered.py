"""`numbered_log.append_each` and `length` for streams the host's API processes all append to
(the participant pages "all" and each agency's), without racing each other for the numbers.

`numbered_log` knows where a stream ends from this process's own writes only: with two API
processes creating officers, each insert found half its numbers taken by the other, and each
loss cost a search for the end (1.9 reads and 1.1 inserts of `participant_pages` a create,
of 3.9 commands in all, under 8 clients). Here the processes of a host append one at a time
(`host_hints.exclusive`), each stream from where the last of them left it (`host_hints`), so an
append is one insert. Entries, their `_id`s and the stored end hints are `numbered_log`'s own: a
reader needs nothing of this module, and a process of another host that took a number first
only sends the append round `numbered_log.append_many`'s retry.
"""

from common.persistence import by_id, numbered_log, together
from common.runtime import Runtime
from services.registration.stores import host_hints

HINT_EVERY = numbered_log.HINT_EVERY


def append_each(runtime: Runtime, collection: str, items: list[tuple[str, dict]]) -> None:
    """Write each (stream, entry) as the next number of its stream, in order: one insert for
    what this process's threads append at the same moment (`together`)."""
    together.write(("host_numbered", runtime.db.name, collection), items,
                   lambda batch: _place(runtime, collection, batch))


def _place(runtime: Runtime, name: str, items: list[tuple[str, dict]]) -> list[None]:
    collection = runtime.db[name]
    appended: dict[str, list[dict]] = {}
    for stream, entry in items:
        appended.setdefault(stream, []).append(entry)
    with host_hints.exclusive(runtime, name):
        starts = {stream: _end(runtime, name, stream) for stream in appended}
        ends = numbered_log.append_many(collection, starts, appended)
        for stream, end in ends.items():
            host_hints.ended(runtime, name, stream, end)
    for stream, end in ends.items():
        if end // HINT_EVERY != starts[stream] // HINT_EVERY:
            # Where the stream ends, for a process that never looked (`numbered_log.length`).
            by_id.write(collection, f"{stream}:end", {"$max": {"next": end}})
    return [None] * len(items)


def _end(runtime: Runtime, name: str, stream: str) -> int:
    known = host_hints.known_end(runtime, name, stream)
    return numbered_log.length(runtime.db[name], stream) if known is None else known


def length(runtime: Runtime, name: str, stream: str) -> int:
    """How many entries ``stream`` holds: read forward from where this host last left it."""
    known = host_hints.known_end(runtime, name, stream)
    if known is None:
        return numbered_log.length(runtime.db[name], stream)
    end = numbered_log.end_from(runtime.db[name], stream, known)
    host_hints.ended(runtime, name, stream, end)
    return end
