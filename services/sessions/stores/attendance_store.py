"""Attendance: per rostered participant per day; the latest mark wins, each one announced."""

from datetime import UTC, datetime

from common.runtime import Runtime
from services.sessions import events
from services.sessions.domain import attendance_rules
from services.sessions.domain.errors import IllegalTransitionError
from services.sessions.stores import roster_store, session_store


def record(runtime: Runtime, session_id: str, day: str, marks: list[dict]) -> list[dict]:
    """Record ``marks`` ({participant_id, status}) for one day; all rostered or none written.

    Each mark is one guarded write of the roster document with its `sessions.attendance.recorded`;
    a mark equal to the one stored is not written again, so a repeated bulk upload is harmless.
    """
    session = session_store.get(runtime, session_id)
    attendance_rules.check_day(session, day)
    rostered = roster_store.active(runtime, session)
    attendance_rules.check_rostered([m["participant_id"] for m in marks], set(rostered))
    latest = {m["participant_id"]: m["status"] for m in marks}  # the last mark per person wins
    recorded = []
    for participant_id, status in latest.items():
        entry = rostered[participant_id]
        previous = entry.get("attendance", {}).get(session_id, {}).get(day, {}).get("status")
        if previous != status:
            event = runtime.event(events.ATTENDANCE_RECORDED, session_id,
                                  events.AttendanceRecorded().dump({
                                      "session_id": session_id, "participant_id": participant_id,
                                      "day": day, "status": status}))
            # She was on the roster a moment ago; one who left since is caught here, by `_id`.
            if not roster_store.still_active(runtime, entry["_id"]):
                raise IllegalTransitionError(f"{participant_id} left the roster meanwhile")
            runtime.update(roster_store.COLLECTION, {"_id": entry["_id"]},
                           {"$set": {f"attendance.{session_id}.{day}": {
                               "status": status, "recorded_at": datetime.now(UTC)}}}, [event])
        recorded.append({"participant_id": participant_id, "day": day, "status": status})
    return recorded


def listing(runtime: Runtime, session_id: str) -> list[dict]:
    """Every mark of the session: participant, day, status, when; by day then participant."""
    session = session_store.get(runtime, session_id)
    marks = [{"participant_id": entry["participant_id"], "day": day, **mark}
             for entry in roster_store.entries(runtime, session)
             for day, mark in entry.get("attendance", {}).get(session_id, {}).items()]
    return sorted(marks, key=lambda m: (m["day"], m["participant_id"]))
