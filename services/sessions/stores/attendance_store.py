"""Attendance: per rostered officer per day; the latest mark wins, each change announced.

A day's recording is one entry of that day's attendance log carrying every changed mark and
its `sessions.attendance.recorded` events: one write for a whole roster.
"""

import threading
from collections import defaultdict
from datetime import UTC, datetime

from common.runtime import Runtime
from services.sessions import events
from services.sessions.domain import attendance_rules
from services.sessions.domain.errors import IllegalTransitionError
from services.sessions.stores import attendance_log_store, roster_store, session_store

# Recordings of one day race for its next entry: in a process they take turns (a tablet sends
# one request per tap, a burst of them), so only other processes' recordings make one retry.
ATTEMPTS = 20
_turns: defaultdict[tuple[str, str, str], threading.Lock] = defaultdict(threading.Lock)
_turns_lock = threading.Lock()


def _turn(runtime: Runtime, session_id: str, day: str) -> threading.Lock:
    with _turns_lock:
        return _turns[(runtime.db.name, session_id, day)]


def record(runtime: Runtime, session_id: str, day: str, marks: list[dict]) -> list[dict]:
    """Record ``marks`` ({participant_id, status}) for one day; all rostered or none written.

    A mark equal to the one stored is not written again, so a repeated upload is harmless.
    """
    session = session_store.get(runtime, session_id)
    attendance_rules.check_day(session, day)
    wanted = attendance_rules.latest(marks)
    with _turn(runtime, session_id, day):
        for _ in range(ATTEMPTS):
            rostered = roster_store.active(runtime, session)
            attendance_rules.check_rostered(list(wanted), set(rostered))
            known, number = attendance_log_store.day_marks(runtime, session_id, day)
            changed = attendance_rules.changes(
                wanted, {pid: entry["_id"] for pid, entry in rostered.items()}, known)
            if not changed or _append(runtime, session, day, number, changed, known):
                break
        else:
            raise IllegalTransitionError("the day's attendance kept changing meanwhile; retry")
    return [{"participant_id": pid, "day": day, "status": status}
            for pid, status in wanted.items()]


def _append(runtime: Runtime, session: dict, day: str, number: int,
            changed: dict[str, tuple[str, str]], known: dict) -> bool:
    """Write the changed marks as the day's entry ``number``; False if it was taken meanwhile."""
    # Whoever left the roster since it was read is caught here, before the write.
    still = roster_store.active(runtime, session)
    gone = sorted(pid for pid, _ in changed.values() if pid not in still)
    if gone:
        raise IllegalTransitionError(f"{', '.join(gone)} left the roster meanwhile")
    now = datetime.now(UTC)
    announced = [runtime.event(events.ATTENDANCE_RECORDED, session["_id"],
                               events.AttendanceRecorded().dump({
                                   "session_id": session["_id"], "participant_id": pid,
                                   "day": day, "status": status}))
                 for pid, status in changed.values()]
    marks = {eid: {"status": status, "recorded_at": now} for eid, (_, status) in changed.items()}
    return attendance_log_store.append(runtime, session["_id"], day, number, marks, known,
                                       announced)


def listing(runtime: Runtime, session_id: str) -> list[dict]:
    """Every mark of the session: participant, day, status, when; by day then participant."""
    session = session_store.get(runtime, session_id)
    marks = [{"participant_id": entry["participant_id"], "day": day, **mark}
             for entry in roster_store.entries(runtime, session)
             for day, mark in entry.get("attendance", {}).get(session_id, {}).items()]
    return sorted(marks, key=lambda m: (m["day"], m["participant_id"]))
