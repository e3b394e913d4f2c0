"""Attendance: per rostered officer per day; the latest mark wins, each change announced.

A day's recording is one entry of that day's attendance log carrying every changed mark and
its `sessions.attendance.recorded` events: one write for a whole roster.
"""

from datetime import UTC, datetime

from common.runtime import Runtime
from services.sessions import events
from services.sessions.domain import attendance_rules
from services.sessions.domain.errors import IllegalTransitionError
from services.sessions.domain.roster_rules import ACTIVE
from services.sessions.stores import attendance_log_store, roster_store, session_store

ATTEMPTS = 5  # recordings of the same day racing for the next entry


def record(runtime: Runtime, session_id: str, day: str, marks: list[dict]) -> list[dict]:
    """Record ``marks`` ({participant_id, status}) for one day; all rostered or none written.

    A mark equal to the one stored is not written again, so a repeated upload is harmless.
    """
    session = session_store.get(runtime, session_id)
    attendance_rules.check_day(session, day)
    latest = {m["participant_id"]: m["status"] for m in marks}  # the last mark per person wins
    for _ in range(ATTEMPTS):
        rostered = roster_store.active(runtime, session)
        attendance_rules.check_rostered(list(latest), set(rostered))
        known, number = attendance_log_store.day_marks(runtime, session_id, day)
        now = datetime.now(UTC)
        changed = {rostered[pid]["_id"]: (pid, {"status": status, "recorded_at": now})
                   for pid, status in latest.items()
                   if known.get(rostered[pid]["_id"], {}).get("status") != status}
        if not changed:
            break
        # Whoever left the roster since it was read is caught here, before the write.
        still = roster_store.active(runtime, session)
        gone = sorted(pid for pid, _ in changed.values()
                      if still.get(pid, {}).get("status") != ACTIVE)
        if gone:
            raise IllegalTransitionError(f"{', '.join(gone)} left the roster meanwhile")
        announced = [runtime.event(events.ATTENDANCE_RECORDED, session_id,
                                   events.AttendanceRecorded().dump({
                                       "session_id": session_id, "participant_id": pid,
                                       "day": day, "status": mark["status"]}))
                     for pid, mark in changed.values()]
        if attendance_log_store.append(runtime, session_id, day, number,
                                       {eid: mark for eid, (_, mark) in changed.items()},
                                       known, announced):
            break
    else:
        raise IllegalTransitionError("the day's attendance kept changing meanwhile; retry")
    return [{"participant_id": pid, "day": day, "status": status}
            for pid, status in latest.items()]


def listing(runtime: Runtime, session_id: str) -> list[dict]:
    """Every mark of the session: participant, day, status, when; by day then participant."""
    session = session_store.get(runtime, session_id)
    marks = [{"participant_id": entry["participant_id"], "day": day, **mark}
             for entry in roster_store.entries(runtime, session)
             for day, mark in entry.get("attendance", {}).get(session_id, {}).items()]
    return sorted(marks, key=lambda m: (m["day"], m["participant_id"]))
