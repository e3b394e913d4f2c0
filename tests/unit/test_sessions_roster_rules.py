"""Who counts on a session's roster, without a database."""

from services.sessions.domain import roster_rules

MARCH = "s-march"


def _entry(enrollment_id, participant_id, status="active", attendance=None, **extra):
    return {"_id": enrollment_id, "participant_id": participant_id, "status": status,
            "attendance": attendance or {}, **extra}


def test_an_officer_enrolled_twice_counts_once_by_her_earliest_enrollment():
    series_wide = _entry("e1", "p1", gender="female")
    this_session = _entry("e2", "p1", gender="female")
    assert roster_rules.counted([this_session, series_wide], MARCH) == [series_wide]


def test_an_ended_enrollment_counts_only_with_attendance_taken_for_this_session():
    withdrawn_before = _entry("e1", "p1", "withdrawn")
    withdrawn_after = _entry("e2", "p2", "withdrawn",
                             {MARCH: {"2021-03-25": {"status": "present"}}})
    withdrawn_elsewhere = _entry("e3", "p3", "cancelled",
                                 {"s-july": {"2021-07-20": {"status": "present"}}})
    counted = roster_rules.counted([withdrawn_before, withdrawn_after, withdrawn_elsewhere],
                                   MARCH)
    assert [e["participant_id"] for e in counted] == ["p2"]


def test_the_indicator_record_reads_only_this_sessions_marks_and_rating():
    entry = _entry("e1", "p1", attendance={
        MARCH: {"2021-03-25": {"status": "present"}, "2021-03-26": {"status": "late"}},
        "s-july": {"2021-07-20": {"status": "absent"}}},
        gender="female", agency="Punjab Police",
        feedback={MARCH: {"rating": 4, "comments": "useful"}})
    assert roster_rules.record(entry, MARCH) == {
        "participant_id": "p1", "gender": "female", "agency": "Punjab Police",
        "days": {"2021-03-25": "present", "2021-03-26": "late"}, "rating": 4}
    assert roster_rules.record(entry, "s-july")["rating"] is None
