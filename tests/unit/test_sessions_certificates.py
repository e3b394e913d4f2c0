"""The completion rule and the verification code, alone."""

import pytest

from services.sessions.domain import certificate_rules
from services.sessions.domain.errors import InvalidDetailsError

MARCH = {"_id": "s1", "status": "completed", "days": ["2021-03-25", "2021-03-26"]}
JULY = {"_id": "s2", "status": "completed", "days": ["2021-07-20", "2021-07-21"]}
NOVEMBER = {"_id": "s3", "status": "completed", "days": ["2021-11-22", "2021-11-23",
                                                         "2021-11-24"]}
SERIES = [MARCH, JULY, NOVEMBER]


def _present(*days_by_session):
    return {sid: {day: "present" for day in days} for sid, days in days_by_session}


def test_every_day_attended_completes_the_series():
    decision = certificate_rules.decide(None, SERIES, _present(
        ("s1", MARCH["days"]), ("s2", JULY["days"]), ("s3", NOVEMBER["days"])))
    assert decision.completed
    assert (decision.days_attended, decision.days_held) == (7, 7)


def test_missing_a_second_day_within_80_percent_still_completes():
    marks = _present(("s1", MARCH["days"]), ("s2", JULY["days"]),
                     ("s3", NOVEMBER["days"][:2]))  # 6 of 7 = 86%
    decision = certificate_rules.decide(None, SERIES, marks)
    assert decision.completed and decision.days_attended == 6


def test_missing_a_session_s_first_day_fails_the_default_rule_whatever_the_share():
    marks = _present(("s1", MARCH["days"]), ("s2", JULY["days"]),
                     ("s3", NOVEMBER["days"][1:]))  # 6 of 7, but not 22 November
    decision = certificate_rules.decide(None, SERIES, marks)
    assert not decision.completed
    assert decision.missed_first_days == ("2021-11-22",)


def test_a_series_rule_without_first_days_accepts_the_same_officer():
    marks = _present(("s1", MARCH["days"]), ("s2", JULY["days"]), ("s3", NOVEMBER["days"][1:]))
    assert certificate_rules.decide({"require_first_days": False}, SERIES, marks).completed


def test_below_the_share_fails_and_a_lower_share_passes():
    marks = _present(("s1", MARCH["days"][:1]), ("s2", JULY["days"][:1]),
                     ("s3", NOVEMBER["days"][:1]))  # 3 of 7 = 43%
    assert not certificate_rules.decide(None, SERIES, marks).completed
    assert certificate_rules.decide({"min_attendance_share": 0.4}, SERIES, marks).completed


def test_late_counts_as_attended_and_excused_does_not():
    marks = {"s1": {"2021-03-25": "late", "2021-03-26": "excused"}}
    decision = certificate_rules.decide(None, [MARCH], marks)
    assert decision.days_attended == 1 and not decision.completed


def test_a_course_is_finished_only_when_no_session_is_still_planned():
    planned = {"_id": "s4", "status": "scheduled", "days": ["2022-01-10"]}
    cancelled = {"_id": "s5", "status": "cancelled", "days": ["2022-02-10"]}
    assert certificate_rules.finished([MARCH, JULY])
    assert certificate_rules.finished([MARCH, cancelled])
    assert not certificate_rules.finished([MARCH, planned])
    assert not certificate_rules.finished([cancelled])


def test_cancelled_and_planned_sessions_do_not_count_as_days_held():
    cancelled = {"_id": "s5", "status": "cancelled", "days": ["2022-02-10"]}
    decision = certificate_rules.decide(None, [MARCH, cancelled], _present(("s1", MARCH["days"])))
    assert decision.days_held == 2 and decision.completed


@pytest.mark.parametrize("share", [0, -0.5, 1.5, "most"])
def test_an_impossible_share_is_refused_naming_the_field(share):
    with pytest.raises(InvalidDetailsError) as refused:
        certificate_rules.check_rule({"min_attendance_share": share, "require_first_days": True})
    assert "min_attendance_share" in refused.value.errors


def test_codes_are_random_grouped_unambiguous_and_read_back_however_typed():
    codes = {certificate_rules.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in list(codes)[:50]:
        assert len(code) == 12 and code[4] == code[9] == "-"
        assert set(code.replace("-", "")) <= set(certificate_rules.CODE_ALPHABET)
        assert certificate_rules.normalise_code(code.lower().replace("-", " ")) == code
    assert not set("01OIL25SB8") & set(certificate_rules.CODE_ALPHABET)
    assert certificate_rules.normalise_code("not-a-code") is None


def test_initials_are_all_of_a_name_that_is_shown():
    assert certificate_rules.initials("ayesha", "Khan") == "A. K."
    assert certificate_rules.initials(None, "") is None


def test_a_series_rule_fills_in_what_the_coordinator_left_unsaid():
    assert certificate_rules.rule_of(None) == {"min_attendance_share": 0.8,
                                               "require_first_days": True}
    assert certificate_rules.rule_of({"require_first_days": False}) == {
        "min_attendance_share": 0.8, "require_first_days": False}
