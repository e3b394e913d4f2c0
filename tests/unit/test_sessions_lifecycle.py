"""A session's lifecycle, its series position and its days: rules alone, no infrastructure."""

from datetime import UTC, datetime, timedelta

import pytest

from services.sessions.domain import (
    attendance_rules,
    feedback_rules,
    lifecycle_rules,
    series_rules,
)
from services.sessions.domain.errors import IllegalTransitionError, InvalidDetailsError

PKT = datetime(2021, 3, 25, 4, 0, tzinfo=UTC)  # 09:00 in Islamabad
ENDS = datetime(2021, 3, 26, 12, 0, tzinfo=UTC)  # 17:00 in Islamabad


def _session(status="scheduled", **changes):
    return {"_id": "s1", "status": status, "starts_at": PKT, "ends_at": ENDS,
            "timezone": "Asia/Karachi", **changes}


def test_session_goes_from_draft_to_completed():
    status = lifecycle_rules.schedule("draft")
    status = lifecycle_rules.start(status)
    assert lifecycle_rules.complete(status, ENDS, now=ENDS + timedelta(hours=1)) == "completed"


def test_completing_a_session_that_has_not_ended_is_refused():
    with pytest.raises(IllegalTransitionError, match="before it ends"):
        lifecycle_rules.complete("in_progress", ENDS, now=ENDS - timedelta(hours=1))


@pytest.mark.parametrize("status", ["completed", "cancelled"])
def test_rescheduling_a_finished_session_is_refused(status):
    with pytest.raises(IllegalTransitionError, match=f"reschedule a session that is {status}"):
        lifecycle_rules.reschedule(_session(status), PKT, ENDS, "Asia/Karachi", now=ENDS)


@pytest.mark.parametrize("status", ["completed", "cancelled"])
def test_cancelling_a_finished_session_is_refused(status):
    with pytest.raises(IllegalTransitionError):
        lifecycle_rules.cancel(status, "venue unavailable")


def test_cancelling_needs_a_reason():
    with pytest.raises(InvalidDetailsError) as refused:
        lifecycle_rules.cancel("scheduled", "  ")
    assert "reason" in refused.value.errors


def test_starting_a_draft_is_refused():
    with pytest.raises(IllegalTransitionError, match="cannot start a session that is draft"):
        lifecycle_rules.start("draft")


def test_capacity_changes_only_while_planned_and_never_below_zero():
    assert lifecycle_rules.change_capacity("scheduled", 30) == 30
    with pytest.raises(IllegalTransitionError):
        lifecycle_rules.change_capacity("completed", 30)
    with pytest.raises(InvalidDetailsError) as refused:
        lifecycle_rules.change_capacity("draft", -1)
    assert "capacity" in refused.value.errors


def test_reschedule_keeps_the_old_and_new_dates():
    later = PKT + timedelta(days=7)
    move = lifecycle_rules.reschedule(_session(), later, later + timedelta(days=1), "Asia/Karachi",
                                      now=PKT)
    assert (move["previous_starts_at"], move["previous_ends_at"]) == (PKT, ENDS)
    assert (move["starts_at"], move["ends_at"]) == (later, later + timedelta(days=1))


@pytest.mark.parametrize("starts, ends, zone, capacity, field", [
    (ENDS, PKT, "Asia/Karachi", 10, "ends_at"),
    (PKT, ENDS, "Mars/Olympus", 10, "timezone"),
    (PKT, ENDS, "Asia/Karachi", -1, "capacity"),
])
def test_impossible_plans_name_the_field(starts, ends, zone, capacity, field):
    with pytest.raises(InvalidDetailsError) as refused:
        lifecycle_rules.check_plan(starts, ends, zone, capacity)
    assert list(refused.value.errors) == [field]


def test_session_days_are_local_dates_in_its_timezone():
    late_evening_utc = datetime(2021, 3, 24, 20, 0, tzinfo=UTC)  # 01:00 on the 25th in PKT
    assert lifecycle_rules.local_days(late_evening_utc, ENDS, "Asia/Karachi") == [
        "2021-03-25", "2021-03-26"]


def test_series_position_and_next_planned_session():
    first = _session(status="completed")
    second = _session(_id="s2", starts_at=datetime(2021, 7, 20, tzinfo=UTC),
                      ends_at=datetime(2021, 7, 21, tzinfo=UTC))
    dropped = _session(_id="s0", status="cancelled", starts_at=datetime(2021, 1, 1, tzinfo=UTC))
    sessions = [second, dropped, first]
    assert series_rules.position("s1", sessions) == 1
    assert series_rules.position_label(series_rules.position("s2", sessions), 3) == "2 of 3"
    assert series_rules.position("s0", sessions) is None
    assert series_rules.next_planned(sessions, after=first)["_id"] == "s2"
    assert series_rules.next_planned(sessions)["_id"] == "s2"
    assert series_rules.next_planned(sessions, after=second) is None


def test_attendance_only_on_the_sessions_days_once_under_way():
    with pytest.raises(IllegalTransitionError):
        attendance_rules.check_day(_session("scheduled"), "2021-03-25")
    with pytest.raises(InvalidDetailsError) as refused:
        attendance_rules.check_day(_session("in_progress"), "2021-03-27")
    assert "day" in refused.value.errors
    attendance_rules.check_day(_session("in_progress"), "2021-03-26")


def test_attendance_for_someone_not_rostered_is_refused():
    with pytest.raises(InvalidDetailsError, match="p9"):
        attendance_rules.check_rostered(["p1", "p9"], {"p1", "p2"})


@pytest.mark.parametrize("status", ["draft", "scheduled", "cancelled"])
def test_feedback_waits_until_the_session_has_taken_place(status):
    with pytest.raises(IllegalTransitionError, match=status):
        feedback_rules.check_open(_session(status))
    feedback_rules.check_open(_session("in_progress"))
    feedback_rules.check_open(_session("completed"))


def test_a_recording_changes_only_the_marks_that_differ_and_the_last_mark_wins():
    wanted = attendance_rules.latest([
        {"participant_id": "p1", "status": "absent"}, {"participant_id": "p2", "status": "late"},
        {"participant_id": "p1", "status": "present"}, {"participant_id": "p3", "status": "late"}])
    assert wanted == {"p1": "present", "p2": "late", "p3": "late"}
    known = {"e1": {"status": "present"}, "e2": {"status": "present"}}
    assert attendance_rules.changes(wanted, {"p1": "e1", "p2": "e2", "p3": "e3"}, known) == {
        "e2": ("p2", "late"), "e3": ("p3", "late")}
    assert attendance_rules.changes({"p1": "present"}, {"p1": "e1"}, known) == {}
