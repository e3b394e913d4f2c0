"""The report's pieces alone: what suppression hid is named, charts are server-drawn SVG."""

import subprocess
import sys

from services.sessions import charts, donor_report

FIGURES = {"attended": {"total": 24, "by_gender": {"female": 24},
                        "by_agency": {"Federal Investigation Agency": 18, "Punjab Police": 6}}}


def test_the_suppressor_names_each_figure_it_hid_and_nothing_else():
    suppress = donor_report.Suppressor(7)
    hidden = suppress("Coaching 1", FIGURES)
    assert hidden["attended"]["by_agency"] == {"Federal Investigation Agency": 18,
                                               "Punjab Police": None}
    assert suppress.hidden == ["Coaching 1: attended.by_agency.Punjab Police"]
    assert donor_report.Suppressor(1)("x", FIGURES) == FIGURES


def test_shares_are_of_the_total_and_a_hidden_count_hides_its_share():
    rows = donor_report._shares(donor_report.Suppressor(7)("x", FIGURES)["attended"])
    assert rows == [
        {"kind": "gender", "label": "women", "count": 24, "share": 100},
        {"kind": "agency", "label": "Federal Investigation Agency", "count": 18, "share": 75},
        {"kind": "agency", "label": "Punjab Police", "count": None, "share": None}]


def test_charts_are_svg_with_their_labels_and_values():
    svg = charts.bars("Participants by agency", ["Federal Investigation Agency", "Punjab Police"],
                      [18, None])
    assert svg.startswith("<svg") and "Punjab Police" in svg and "suppressed" in svg
    rates = charts.rates("Attendance by day", ["2021-03-25", "2021-03-26"], [1.0, 0.5])
    assert "100%" in rates and "50%" in rates
    assert charts.bars("empty", [], []) is None


def test_the_api_and_worker_load_matplotlib_and_weasyprint_only_when_a_report_asks():
    """Both weigh tens of MB in every process; most processes never draw a chart."""
    loaded = subprocess.run([sys.executable, "-c", (
        "import sys; import services.sessions.app, services.sessions.worker; "
        "print(sorted(m for m in ('matplotlib', 'weasyprint') if m in sys.modules))")],
        capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
