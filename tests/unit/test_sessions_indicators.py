"""The donors' indicators: arithmetic over plain records."""

from services.sessions.domain import feedback_rules, indicator_rules

DAYS = ["2021-03-25", "2021-03-26"]


def _officer(n, agency="Federal Investigation Agency", gender="female", days=None, rating=None):
    return {"participant_id": f"p{n}", "gender": gender, "agency": agency,
            "days": {d: "present" for d in DAYS} if days is None else days, "rating": rating}


def _cohort():
    return ([_officer(n) for n in range(18)]
            + [_officer(n, agency="Punjab Police") for n in range(18, 24)])


def test_session_of_the_press_release_counts_24_women_by_agency_at_full_attendance():
    shown = indicator_rules.session_indicators(_cohort(), DAYS)
    assert shown["enrolled"] == {"total": 24, "by_gender": {"female": 24}, "by_agency": {
        "Federal Investigation Agency": 18, "Punjab Police": 6}, "percent_women": 100.0,
        "percent_by_agency": {"Federal Investigation Agency": 75.0, "Punjab Police": 25.0}}
    assert shown["attended"]["total"] == 24
    assert shown["days"] == 2
    assert shown["attendance_rate"] == 1.0
    assert [d["rate"] for d in shown["attendance_by_day"]] == [1.0, 1.0]


def test_attendance_rate_per_day_counts_late_as_attended():
    records = [_officer(1, days={DAYS[0]: "late", DAYS[1]: "absent"}),
               _officer(2, days={DAYS[0]: "present", DAYS[1]: "excused"}),
               _officer(3, days={})]
    shown = indicator_rules.session_indicators(records, DAYS)
    assert [(d["attended"], d["rate"]) for d in shown["attendance_by_day"]] == [
        (2, 0.6667), (0, 0.0)]
    assert shown["attendance_rate"] == round(2 / 6, 4)
    assert shown["attended"]["total"] == 2


def test_retention_counts_who_attended_every_session_held_so_far():
    first = _cohort()
    second = [_officer(n) for n in range(18)] + [_officer(n, agency="Punjab Police")
                                                 for n in range(18, 23)]
    second.append(_officer(23, agency="Punjab Police", days={d: "absent" for d in DAYS}))
    shown = indicator_rules.retention([first, second])
    assert (shown["retained"]["total"], shown["cohort"]["total"]) == (23, 24)
    assert shown["retained"]["by_agency"]["Punjab Police"] == 5
    assert shown["rate"] == round(23 / 24, 4)
    assert shown["sessions_held"] == 2


def test_retention_of_a_series_not_yet_held_is_empty():
    assert indicator_rules.retention([])["rate"] is None


def test_feedback_count_and_average_ignore_missing_ratings():
    records = [_officer(1, rating=5), _officer(2, rating=4), _officer(3)]
    assert indicator_rules.session_indicators(records, DAYS)["feedback"] == {
        "count": 2, "average_rating": 4.5}


def test_programme_counts_each_participant_once_across_sessions():
    workshop = [_officer(n) for n in range(3)]
    coaching = [_officer(n) for n in range(2)] + [_officer(9, gender="male", days={})]
    shown = indicator_rules.programme_indicators([workshop, coaching], held=2)
    assert shown["enrolled"]["total"] == 4
    assert shown["enrolled"]["by_gender"] == {"female": 3, "male": 1}
    assert shown["attended"]["total"] == 3


def test_small_cells_are_suppressed_but_zero_and_large_cells_stay():
    records = _cohort()[:20] + [_officer(30, gender="male", agency="Customs")]
    shown = indicator_rules.suppress(indicator_rules.session_indicators(records, DAYS), k=5)
    assert shown["enrolled"]["by_gender"] == {"female": 20, "male": None}
    assert shown["enrolled"]["by_agency"] == {"Customs": None,
                                              "Federal Investigation Agency": 18,
                                              "Punjab Police": None}
    assert shown["enrolled"]["total"] == 21
    assert shown["feedback"] == {"count": 0, "average_rating": None}
    assert shown["min_cell"] == 5


def test_suppressed_day_counts_hide_their_rate():
    records = [_officer(1), _officer(2)]
    shown = indicator_rules.suppress(indicator_rules.session_indicators(records, DAYS), k=3)
    assert shown["attendance_by_day"][0] == {"day": DAYS[0], "rostered": None,
                                             "attended": None, "rate": None}


def test_flattened_rows_name_each_cell_for_csv():
    rows = dict(indicator_rules.flatten(indicator_rules.session_indicators(_cohort(), DAYS)))
    assert rows["enrolled.by_agency.Punjab Police"] == 6
    assert rows["attendance_by_day.2021-03-26.rate"] == 1.0
    assert rows["days"] == 2


def test_only_consented_comments_are_quotable():
    given = [{"comments": "very useful", "consent_to_quote": True},
             {"comments": "private remark", "consent_to_quote": False},
             {"comments": "", "consent_to_quote": True}]
    assert feedback_rules.quotable(given) == ["very useful"]


def test_series_session_rows_hide_small_head_counts_and_their_rates():
    figures = {"sessions": [{"session_id": "s1", "enrolled": 3, "attendance_rate": 1.0},
                            {"session_id": "s2", "enrolled": 24, "attendance_rate": 0.5}],
               **indicator_rules.retention([])}
    shown = indicator_rules.suppress(figures, k=5)
    assert shown["sessions"] == [
        {"session_id": "s1", "enrolled": None, "attendance_rate": None},
        {"session_id": "s2", "enrolled": 24, "attendance_rate": 0.5}]


def test_shares_of_women_and_of_each_agency_are_percentages_of_the_head_count():
    records = _cohort()[:20] + [_officer(30, gender="male", agency="Customs")]
    shown = indicator_rules.session_indicators(records, DAYS)["enrolled"]
    assert shown["percent_women"] == round(100 * 20 / 21, 1)
    assert shown["percent_by_agency"] == {"Customs": round(100 / 21, 1),
                                          "Federal Investigation Agency": round(1800 / 21, 1),
                                          "Punjab Police": round(200 / 21, 1)}
    assert indicator_rules.breakdown([])["percent_women"] is None


def test_a_suppressed_count_cannot_be_worked_out_from_a_published_share():
    records = _cohort()[:20] + [_officer(30, gender="male", agency="Customs")]
    figures = indicator_rules.session_indicators(records, DAYS)
    shown = indicator_rules.suppress(figures, k=5)["enrolled"]
    assert shown["by_gender"]["male"] is None and shown["by_agency"]["Punjab Police"] is None
    # 100 - share of women = share of men: hidden with the men's count; the same for agencies.
    assert shown["percent_women"] is None
    assert shown["percent_by_agency"] == {"Customs": None, "Federal Investigation Agency": None,
                                          "Punjab Police": None}


def test_shares_stay_when_no_count_of_their_breakdown_is_suppressed():
    figures = indicator_rules.session_indicators(_cohort(), DAYS)
    shown = indicator_rules.suppress(figures, k=5)["enrolled"]
    assert shown["percent_women"] == 100.0
    assert shown["percent_by_agency"] == {"Federal Investigation Agency": 75.0,
                                          "Punjab Police": 25.0}
