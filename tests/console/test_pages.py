"""The console's pages against the real APIs (the e2e stack), through Flask's test client."""

import re
import uuid

import pytest
import requests

from tests.conftest import wait_for
from tests.console.conftest import csrf_of, person, sign_in

pytestmark = pytest.mark.e2e


def _api(stack, tokens, service, method, path, body=None, expect=(200, 201)):
    answer = requests.request(method, f"{stack.urls[service]}{path}", json=body,
                              headers=tokens("coordinator"), timeout=10)
    assert answer.status_code in expect, answer.text
    return answer.json()


def _officer(stack, tokens, tag, n, agency="Federal Investigation Agency"):
    return _api(stack, tokens, "registration", "POST", "/participants", {
        "given_name": f"Rabia{tag}{n}", "family_name": f"Iqbal{tag}", "gender": "female",
        "agency": agency, "email": f"rabia{n}.{tag}@example.org",
        "consent": {"policy_version": "2021-01", "given_at": "2021-01-01T00:00:00+00:00"}})


def _held_session(stack, tokens, tag, officers, facilitator_id=None, **details):
    """A past session, scheduled, with the officers on its roster, under way; ``details`` add
    to or replace its fields (e.g. `series_id`)."""
    session = _api(stack, tokens, "sessions", "POST", "/sessions", {
        "kind": "coaching_session", "title": f"Held {tag}", "timezone": "Asia/Karachi",
        "starts_at": "2021-03-25T09:00:00+05:00", "ends_at": "2021-03-26T17:00:00+05:00",
        "capacity": 10, **details})
    if facilitator_id:
        _api(stack, tokens, "sessions", "PUT",
             f"/sessions/{session['id']}/facilitators/{facilitator_id}", {"role": "coach"})
    wait_for(lambda: requests.get(f"{stack.urls['registration']}/sessions/{session['id']}",
                                  headers=tokens("coordinator"), timeout=10).ok, timeout_s=30)
    for officer in officers:
        _api(stack, tokens, "registration", "POST", "/enrollments",
             {"participant_id": officer["id"], "session_id": session["id"]})
    wait_for(lambda: len(_api(stack, tokens, "sessions", "GET",
                              f"/sessions/{session['id']}/roster")) == len(officers),
             timeout_s=30)
    _api(stack, tokens, "sessions", "POST", f"/sessions/{session['id']}/start")
    return session


def test_a_coordinator_plans_a_series_session_in_local_time(console_on, stack, tokens):
    app, store = console_on()
    browser = app.test_client()
    sign_in(browser, person(store, "coordinator@glo-act.local", "coordinator"))
    tag = uuid.uuid4().hex[:6]
    token = csrf_of(browser.get("/programmes").data)
    programme = browser.post("/programmes", data={"csrf_token": token, "name": f"GLO.ACT {tag}",
                                                  "countries": "Pakistan", "donors": "EU"})
    programme_id = programme.headers["Location"].rsplit("/", 1)[1]
    series = browser.post("/series", data={"csrf_token": token, "programme_id": programme_id,
                                           "title": f"Coaching {tag}", "planned_sessions": "3"})
    series_id = series.headers["Location"].rsplit("/", 1)[1]
    created = browser.post("/sessions", data={
        "csrf_token": token, "kind": "coaching_session", "title": f"Coaching 1 {tag}",
        "timezone": "Asia/Karachi", "starts_at": "2031-03-25T09:00",
        "ends_at": "2031-03-26T17:00", "capacity": "24", "series_id": series_id,
        "programme_id": programme_id, "languages": "en"}, follow_redirects=True)
    page = created.data.decode()
    assert created.status_code == 200
    assert "session 1 of 3" in page
    assert "Tue 25 Mar 2031 09:00 (Asia/Karachi, UTC+05:00)" in page
    session_id = created.request.path.rsplit("/", 1)[1]
    stored = _api(stack, tokens, "sessions", "GET", f"/sessions/{session_id}")
    assert stored["starts_at"] == "2031-03-25T04:00:00+00:00"

    moved = browser.post(f"/sessions/{session_id}/reschedule", follow_redirects=True, data={
        "csrf_token": token, "timezone": "Asia/Karachi", "starts_at": "2031-07-20T09:00",
        "ends_at": "2031-07-21T17:00", "venue": "UNODC Country Office", "city": "Islamabad",
        "country": "Pakistan"})
    assert b"Sun 20 Jul 2031 09:00 (Asia/Karachi, UTC+05:00)" in moved.data
    stored = _api(stack, tokens, "sessions", "GET", f"/sessions/{session_id}")
    assert (stored["starts_at"], stored["venue"]) == ("2031-07-20T04:00:00+00:00",
                                                      "UNODC Country Office")

    refused = browser.post(f"/sessions/{session_id}/cancel", data={"csrf_token": token,
                                                                     "reason": ""})
    assert refused.status_code == 422 and b"reason: required" in refused.data
    cancelled = browser.post(f"/sessions/{session_id}/cancel", follow_redirects=True, data={
        "csrf_token": token, "reason": "The venue is closed"})
    assert b"The venue is closed" in cancelled.data
    assert _api(stack, tokens, "sessions", "GET", f"/sessions/{session_id}")["status"] == \
        "cancelled"


def test_a_facilitator_marks_attendance_with_one_tap_on_her_session_only(console_on, stack,
                                                                          tokens):
    tag = uuid.uuid4().hex[:6]
    facilitator = _api(stack, tokens, "sessions", "POST", "/facilitators", {
        "given_name": "Marta", "family_name": f"Reyes{tag}", "organisation": "UNODC"})
    officers = [_officer(stack, tokens, tag, n) for n in range(2)]
    hers = _held_session(stack, tokens, tag, officers, facilitator["id"])
    other = _held_session(stack, tokens, f"{tag}b", officers[:1])
    app, store = console_on()
    browser = app.test_client()
    sign_in(browser, person(store, "marta@glo-act.local", "facilitator", facilitator["id"]))

    sheet = browser.get(f"/sessions/{hers['id']}/attendance/2021-03-25")
    assert sheet.status_code == 200
    assert f"Rabia{tag}0 Iqbal{tag}".encode() in sheet.data
    tap = browser.post(f"/sessions/{hers['id']}/attendance/2021-03-25/{officers[0]['id']}",
                       data={"status": "late"}, headers={
                           "Accept": "application/json", "X-CSRF-Token": csrf_of(sheet.data)})
    assert tap.status_code == 200 and tap.json["saved"][0]["status"] == "late"
    everyone = browser.post(f"/sessions/{hers['id']}/attendance/2021-03-26", data={
        "csrf_token": csrf_of(sheet.data), "all_present": "1",
        "participant_id": [o["id"] for o in officers]})
    assert everyone.status_code == 303  # the plain form: saved, back to the sheet
    marks = {(m["day"], m["participant_id"]): m["status"] for m in _api(
        stack, tokens, "sessions", "GET", f"/sessions/{hers['id']}/attendance")}
    assert marks == {("2021-03-25", officers[0]["id"]): "late",
                     ("2021-03-26", officers[0]["id"]): "present",
                     ("2021-03-26", officers[1]["id"]): "present"}

    assert browser.get(f"/sessions/{other['id']}/attendance/2021-03-25").status_code == 403
    assert browser.get("/officers").status_code == 403
    assert browser.get(f"/sessions/{hers['id']}").status_code == 403  # planning is not hers


def test_a_viewer_sees_the_figures_and_no_names(console_on, stack, tokens):
    tag = uuid.uuid4().hex[:6]
    officers = [_officer(stack, tokens, tag, 0),
                _officer(stack, tokens, tag, 1, agency="Punjab Police")]
    session = _held_session(stack, tokens, tag, officers)
    _api(stack, tokens, "sessions", "POST", f"/sessions/{session['id']}/attendance/2021-03-25",
         {"marks": [{"participant_id": o["id"], "status": "present"} for o in officers]})
    programme = _api(stack, tokens, "sessions", "POST", "/programmes",
                     {"name": f"Donor figures {tag}"})
    app, store = console_on()
    browser = app.test_client()
    sign_in(browser, person(store, "viewer@glo-act.local", "viewer"))

    choices = browser.get("/indicators")
    assert choices.status_code == 200 and f"Donor figures {tag}".encode() in choices.data
    assert f"/indicators/programmes/{programme['id']}".encode() in choices.data
    page = browser.get(f"/indicators/sessions/{session['id']}").data.decode()
    assert re.search(r'id="participants">2<', page)
    assert re.search(r'id="women-share">100%<', page)
    assert "<th scope=\"row\">Punjab Police</th><td>1</td>" in page
    assert f"Rabia{tag}" not in page and f"Iqbal{tag}" not in page
    assert 'method="post"' not in page.replace('id="language"', "").split("<main")[1]
    assert browser.get(f"/sessions/{session['id']}/roster").status_code == 403
    csv = browser.get(f"/indicators/sessions/{session['id']}.csv?min_cell=10")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"


def test_an_outage_is_a_clear_message_on_the_page_that_needs_it(console_on):
    app, store = console_on(notifications_url="http://127.0.0.1:9")
    browser = app.test_client()
    sign_in(browser, person(store, "coordinator@glo-act.local", "coordinator"))
    down = browser.get("/notifications")
    assert down.status_code == 503
    assert b"The notifications service is not available right now" in down.data
    assert b"Traceback" not in down.data
    assert browser.get("/sessions").status_code == 200  # the rest keeps working
    assert browser.get("/").status_code == 200


def test_a_coordinator_exports_an_officers_data_after_a_confirmation(console_on, stack, tokens):
    officer = _officer(stack, tokens, uuid.uuid4().hex[:6], 0)
    app, store = console_on()
    browser = app.test_client()
    sign_in(browser, person(store, "coordinator@glo-act.local", "coordinator"))
    confirm = browser.get(f"/officers/{officer['id']}/export")
    assert b"outside the platform's protection" in confirm.data
    exported = browser.post(f"/officers/{officer['id']}/export",
                            data={"csrf_token": csrf_of(confirm.data)})
    assert exported.mimetype == "application/json"
    assert exported.json["participant"]["email"] == officer["email"]
    assert "attachment" in exported.headers["Content-Disposition"]


def test_the_dashboard_keeps_working_when_the_sessions_service_is_down(console_on):
    app, store = console_on(sessions_url="http://127.0.0.1:9")
    browser = app.test_client()
    sign_in(browser, person(store, "coordinator@glo-act.local", "coordinator"))
    home = browser.get("/")
    assert home.status_code == 200 and b"Upcoming sessions cannot be shown" in home.data
    down = browser.get("/programmes")
    assert down.status_code == 503 and b"The sessions service is not available" in down.data
    assert browser.get("/officers").status_code == 200  # registration still answers
