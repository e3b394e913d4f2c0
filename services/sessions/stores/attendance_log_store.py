"""The attendance of one session day as a numbered log: each recording appends one entry with
the marks it changed and their events, so a whole roster's day is one write.

An entry is `{_id: "<session id>:<day>:<n>", marks: {enrollment id: {status, recorded_at}}}`;
the latest entry that names an enrollment holds its mark. Two recordings racing for the same
number: one wins the insert, the other reads what won and decides again. The day's head document
(`<session id>:<day>:head`) keeps the marks folded so far and the number they run through; it
only saves reads (a stale head is caught up from the log), so readers never need the whole log.
"""

from pymongo.errors import DuplicateKeyError

from common.envelope import Event
from common.persistence import by_id, numbered_log
from common.runtime import Runtime

COLLECTION = "attendance_log"
Marks = dict[str, dict]  # enrollment id -> {"status", "recorded_at"}


def _stream(session_id: str, day: str) -> str:
    return f"{session_id}:{day}"


def day_marks(runtime: Runtime, session_id: str, day: str) -> tuple[Marks, int]:
    """The day's marks by enrollment id, and the number the next entry takes."""
    log, stream = runtime.db[COLLECTION], _stream(session_id, day)
    head = by_id.get(log, f"{stream}:head") or {"marks": {}, "through": -1}
    marks = dict(head["marks"])
    through = head["through"]
    for entry in numbered_log.following(log, stream, through, {"marks": 1}):
        marks.update(entry["marks"])
        through += 1
    return marks, through + 1


def session_marks(runtime: Runtime, session_id: str, days: list[str]) -> dict[str, dict]:
    """Every mark of a session: {enrollment id: {day: {status, recorded_at}}}."""
    found: dict[str, dict] = {}
    for day in days:
        for enrollment_id, mark in day_marks(runtime, session_id, day)[0].items():
            found.setdefault(enrollment_id, {})[day] = mark
    return found


def append(runtime: Runtime, session_id: str, day: str, number: int, marks: Marks,
           known: Marks, events: list[Event]) -> bool:
    """Write ``marks`` as entry ``number`` of the day with their events; False if that number
    was taken meanwhile. ``known``: the day's marks before this entry."""
    stream = _stream(session_id, day)
    entry = {"_id": numbered_log.entry_id(stream, number), "session_id": session_id, "day": day,
             "marks": marks}
    try:
        runtime.insert(COLLECTION, entry, events)
    except DuplicateKeyError:
        return False
    by_id.set_fields(runtime.db[COLLECTION], f"{stream}:head",
                     {"marks": {**known, **marks}, "through": number}, upsert=True)
    return True
