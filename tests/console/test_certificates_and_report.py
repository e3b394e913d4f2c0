"""The console links the donor's report (streamed through it, the API needs a token) and lets a
coordinator see, issue and revoke a course's certificates; a viewer gets the report only."""

import re
import uuid

import pytest
import requests

from tests.conftest import wait_for
from tests.console.conftest import csrf_of, person, sign_in
from tests.console.test_pages import _api, _held_session, _officer

pytestmark = pytest.mark.e2e


def _held_series(stack, tokens, tag, officers):
    """A programme with a one-session series held in 2021: officer 0 attends both days,
    officer 1 neither; the session is completed, so the series is decided."""
    programme = _api(stack, tokens, "sessions", "POST", "/programmes",
                     {"name": f"GLO.ACT Pakistan {tag}", "donors": ["EU"]})
    series = _api(stack, tokens, "sessions", "POST", "/series", {
        "programme_id": programme["id"], "title": f"Coaching {tag}", "planned_sessions": 1})
    session = _held_session(stack, tokens, tag, officers, title=f"Coaching 1 {tag}",
                            programme_id=programme["id"], series_id=series["id"])
    for day in ("2021-03-25", "2021-03-26"):
        _api(stack, tokens, "sessions", "POST", f"/sessions/{session['id']}/attendance/{day}",
             {"marks": [{"participant_id": officers[0]["id"], "status": "present"},
                        {"participant_id": officers[1]["id"], "status": "absent"}]})
    _api(stack, tokens, "sessions", "POST", f"/sessions/{session['id']}/complete")
    return programme, series, session


def _row(page: str, code: str) -> str:
    found = re.search(rf'<tr data-code="{code}">(.*?)</tr>', page, re.S)
    assert found, f"no row for {code}"
    return " ".join(found.group(1).split())


def test_a_coordinator_opens_the_report_and_decides_certificates(console_on, stack, tokens):
    tag = uuid.uuid4().hex[:6]
    officers = [_officer(stack, tokens, tag, n) for n in range(2)]
    programme, series, session = _held_series(stack, tokens, tag, officers)
    app, store = console_on()
    browser = app.test_client()
    sign_in(browser, person(store, "coordinator@glo-act.local", "coordinator"))

    page = browser.get(f"/programmes/{programme['id']}").data.decode()
    assert f'href="/reports/programmes/{programme["id"]}"' in page
    assert f'href="/reports/programmes/{programme["id"]}?format=pdf"' in page
    report = browser.get(f"/reports/programmes/{programme['id']}")
    assert report.status_code == 200 and report.mimetype == "text/html"
    assert f"GLO.ACT Pakistan {tag}" in report.data.decode()
    assert "Bearer" not in report.data.decode()
    pdf = browser.get(f"/reports/series/{series['id']}?format=pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    assert "attachment" in pdf.headers["Content-Disposition"]
    figures = browser.get(f"/indicators/series/{series['id']}?min_cell=5").data.decode()
    assert f'href="/reports/series/{series["id"]}?min_cell=5"' in figures
    assert browser.get(f"/reports/series/{series['id']}?min_cell=5").status_code == 200

    def decided():
        found = _api(stack, tokens, "sessions", "GET",
                     f"/certificates?course_id={series['id']}")
        return found if found else None
    [certificate] = wait_for(decided, timeout_s=90)  # officer 1 attended no day
    code = certificate["code"]
    page = browser.get(f"/series/{series['id']}").data.decode()
    token = csrf_of(page.encode())
    row = _row(page, code)
    assert f"Rabia{tag}0 Iqbal{tag}" in row and "issued" in row and "2 of 2" in row
    assert f'href="{stack.urls["sessions"]}/certificates/{code}"' in row
    assert 'id="rule-share"' in page and 'value="80"' in page  # the default rule, editable

    revoked = browser.post(f"/courses/{series['id']}/certificates/{code}/revocation",
                           data={"csrf_token": token, "reason": "Certificate misprinted",
                                 "session_id": session["id"]}, follow_redirects=True)
    assert revoked.status_code == 200
    row = _row(revoked.data.decode(), code)
    assert "revoked" in row and "by hand: Certificate misprinted" in row
    public = requests.get(f"{stack.urls['sessions']}/certificates/{code}", timeout=10).json()
    assert public["status"] == "revoked"  # no sign-in: the link works for anyone

    issued = browser.post(f"/courses/{series['id']}/certificates", follow_redirects=True, data={
        "csrf_token": token, "participant_id": officers[1]["id"],
        "session_id": session["id"],
        "reason": "Attended the make-up session"})
    assert issued.status_code == 200
    assert f"Rabia{tag}1 Iqbal{tag}" in issued.data.decode()
    assert "by hand: Attended the make-up session" in issued.data.decode()
    rule = browser.post(f"/series/{series['id']}/certificate-rule", follow_redirects=True,
                        data={"csrf_token": token, "min_attendance_percent": "50"})
    assert rule.status_code == 200 and 'value="50"' in rule.data.decode()
    assert _api(stack, tokens, "sessions", "GET", f"/series/{series['id']}")[
        "certificate_rule"] == {"min_attendance_share": 0.5, "require_first_days": False}


def test_a_viewer_gets_the_report_but_no_certificates(console_on, stack, tokens):
    tag = uuid.uuid4().hex[:6]
    officers = [_officer(stack, tokens, tag, n) for n in range(2)]
    programme, series, _ = _held_series(stack, tokens, tag, officers)
    app, store = console_on()
    browser = app.test_client()
    sign_in(browser, person(store, "viewer@glo-act.local", "viewer"))

    figures = browser.get(f"/indicators/programmes/{programme['id']}").data.decode()
    assert f'href="/reports/programmes/{programme["id"]}"' in figures
    report = browser.get(f"/reports/programmes/{programme['id']}")
    assert report.status_code == 200 and f"GLO.ACT Pakistan {tag}" in report.data.decode()
    assert f"Rabia{tag}" not in report.data.decode()
    assert browser.get(f"/series/{series['id']}").status_code == 403
    token = csrf_of(figures.encode())
    assert browser.post(f"/courses/{series['id']}/certificates", data={
        "csrf_token": token, "participant_id": officers[0]["id"],
        "reason": "x"}).status_code == 403

    facilitator = app.test_client()
    sign_in(facilitator, person(store, "marta@glo-act.local", "facilitator", "f-none"))
    assert facilitator.get(f"/reports/programmes/{programme['id']}").status_code == 403


def test_a_session_held_alone_shows_its_certificates_on_its_page(console_on, stack, tokens):
    tag = uuid.uuid4().hex[:6]
    officers = [_officer(stack, tokens, tag, n) for n in range(2)]
    session = _held_session(stack, tokens, tag, officers)
    for day in ("2021-03-25", "2021-03-26"):
        _api(stack, tokens, "sessions", "POST", f"/sessions/{session['id']}/attendance/{day}",
             {"marks": [{"participant_id": o["id"], "status": "present"} for o in officers]})
    _api(stack, tokens, "sessions", "POST", f"/sessions/{session['id']}/complete")
    app, store = console_on()
    browser = app.test_client()
    sign_in(browser, person(store, "coordinator@glo-act.local", "coordinator"))

    def listed():
        page = browser.get(f"/sessions/{session['id']}").data.decode()
        return page if page.count('<tr data-code="') == 2 else None
    page = wait_for(listed, timeout_s=90)
    for n in range(2):
        assert f"Rabia{tag}{n} Iqbal{tag}" in page
    assert 'id="rule-form"' not in page and "at least 80% of the days held" in page
    assert 'id="issue-form"' not in page  # everyone on the roster holds one already
    [code, _] = re.findall(r'<tr data-code="([^"]+)">', page)
    revoked = browser.post(f"/courses/{session['id']}/certificates/{code}/revocation",
                           data={"csrf_token": csrf_of(page.encode()), "reason": "Duplicate",
                                 "session_id": session["id"]})
    assert revoked.headers["Location"].endswith(f"/sessions/{session['id']}")
    again = browser.post(f"/courses/{session['id']}/certificates/{code}/revocation",
                         data={"csrf_token": csrf_of(page.encode()), "reason": "Duplicate",
                               "session_id": session["id"]})
    assert again.status_code == 409 and b"already revoked" in again.data
    assert "revoked" in _row(browser.get(f"/sessions/{session['id']}").data.decode(), code)

    # Registration down: the certificates still show, by id, and the page says why.
    app, store = console_on(registration_url="http://127.0.0.1:9")
    browser = app.test_client()
    sign_in(browser, person(store, "coordinator@glo-act.local", "coordinator"))
    page = browser.get(f"/sessions/{session['id']}").data.decode()
    assert "Names cannot be shown: the registration service is not available" in page
    assert officers[0]["id"] in page and code in page and f"Rabia{tag}" not in page
