"""What a client sees when sessions is sent text, numbers or dates it must not store."""

import socket
import threading

import pytest
from werkzeug.serving import make_server

from common.runtime import Runtime
from services.registration.app import create_app as create_registration_app
from services.registration.indexes import ensure_indexes
from tests.integration.sessions.building import MARCH, new_series, new_session

SESSION = {"kind": "coaching_session", "title": "Coaching 1", "timezone": "Asia/Karachi",
           "capacity": 24, **MARCH}


def _errors(response) -> dict:
    assert response.status_code == 422, response.get_json()
    return response.get_json()["errors"]["json"]


@pytest.mark.parametrize(("change", "field"), [
    ({"capacity": 10.7}, "capacity"),
    ({"capacity": 10.0}, "capacity"),
    ({"capacity": "15"}, "capacity"),
    ({"capacity": True}, "capacity"),
    ({"title": " \t "}, "title"),
    ({"title": "Coaching\r1"}, "title"),
    ({"title": "\ud83d"}, "title"),
    ({"topics": ["ok", "\x00"]}, "topics"),
    ({"starts_at": "1901-03-25T09:00:00+05:00"}, "starts_at"),
    ({"ends_at": "2100-01-02T09:00:00+05:00"}, "ends_at"),
])
def test_garbage_in_a_session_gets_422_naming_the_field_and_writes_nothing(api, change,
                                                                           field):
    call, runtime = api
    assert field in _errors(call("POST", "/sessions", json={**SESSION, **change}))
    assert runtime.db["sessions"].count_documents({}) == 0


def test_capacity_change_refuses_a_fraction(api):
    call, runtime = api
    session = new_session(call)
    assert "capacity" in _errors(call("PUT", f"/sessions/{session['id']}/capacity",
                                      json={"capacity": 10.7}))
    assert runtime.db["sessions"].find_one({"_id": session["id"]})["capacity"] == 24


def test_reschedule_to_an_implausible_year_gets_422(api):
    call, _ = api
    session = new_session(call)
    assert "starts_at" in _errors(call("POST", f"/sessions/{session['id']}/reschedule", json={
        "starts_at": "1901-03-25T09:00:00+05:00", "ends_at": "2021-03-26T17:00:00+05:00"}))


@pytest.mark.parametrize(("period", "field"), [
    ({"starts_on": "0001-01-01", "ends_on": "2022-12-31"}, "starts_on"),
    ({"starts_on": "2018-01-01", "ends_on": "9999-12-31"}, "ends_on"),
])
def test_a_programme_outside_the_plausible_years_gets_422(api, period, field):
    call, runtime = api
    errors = _errors(call("POST", "/programmes", json={"name": "GLO.ACT", "period": period}))
    assert field in errors["period"]
    assert runtime.db["programmes"].count_documents({}) == 0


@pytest.mark.parametrize(("body", "path"), [
    ({"name": "   "}, ("name",)),
    ({"name": "GLO.ACT", "donors": ["European\x00Union"]}, ("donors",)),
    # A description may run over several lines; NUL is still no text.
    ({"name": "GLO.ACT", "description": "one\x00two"}, ("description",)),
])
def test_blank_or_control_text_in_a_programme_gets_422(api, body, path):
    call, _ = api
    assert path[0] in _errors(call("POST", "/programmes", json=body))


def test_a_multi_line_description_is_kept(api):
    call, _ = api
    text = "Line one\r\nLine two\n\tindented"
    response = call("POST", "/programmes", json={"name": "GLO.ACT", "description": text})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["description"] == text


@pytest.mark.parametrize(("eligibility", "field"), [
    ({"genders": ["female", "feamle"]}, "genders"),
    ({"genders": ["female"], "agencies": ["  "]}, "agencies"),
])
def test_eligibility_names_only_known_genders(api, eligibility, field):
    call, runtime = api
    programme = new_series(call)["programme_id"]
    errors = _errors(call("POST", "/series", json={
        "programme_id": programme, "title": "Coaching", "planned_sessions": 3,
        "eligibility": eligibility}))
    assert field in errors["eligibility"]
    assert runtime.db["series"].count_documents({}) == 1


def test_planned_sessions_must_be_a_whole_number(api):
    call, _ = api
    programme = new_series(call)["programme_id"]
    assert "planned_sessions" in _errors(call("POST", "/series", json={
        "programme_id": programme, "title": "Coaching", "planned_sessions": 2.5}))


def test_a_facilitator_phone_with_a_trailing_newline_gets_422(api):
    call, _ = api
    assert "phone" in _errors(call("POST", "/facilitators", json={
        "given_name": "Rukhsana", "family_name": "Zehri", "organisation": "UNODC",
        "phone": "+923001234567\n"}))


def test_a_feedback_rating_must_be_a_whole_number(api):
    call, _ = api
    session = new_session(call)
    assert "rating" in _errors(call("PUT", f"/sessions/{session['id']}/feedback/p1",
                                    json={"rating": 4.5}))


@pytest.fixture
def registration_url(settings, make_topic, unique, monkeypatch):
    """Registration's real API on a free port, as sessions finds it through REGISTRATION_URL."""
    runtime = Runtime(settings("registration"), make_topic(f"it.{unique}.registration"),
                      indexes=ensure_indexes)
    server = make_server("127.0.0.1", 0, create_registration_app(runtime), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    monkeypatch.setenv("REGISTRATION_URL", url)
    yield url
    server.shutdown()
    runtime.producer.close()


def _series_open_to(call, agencies):
    programme = new_series(call)["programme_id"]
    return call("POST", "/series", json={
        "programme_id": programme, "title": "Coaching", "planned_sessions": 3,
        "eligibility": {"genders": ["female"], "agencies": agencies}})


def test_eligibility_names_only_agencies_on_registrations_list(api, registration_url):
    call, runtime = api
    errors = _errors(_series_open_to(call, ["Punjab Police", "Atlantis Coast Guard"]))
    assert list(errors["eligibility"]["agencies"]) == ["1"]
    assert runtime.db["series"].count_documents({}) == 1
    created = _series_open_to(call, ["punjab  police", "Federal Investigation Agency"])
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["eligibility"]["agencies"] == [
        "Punjab Police", "Federal Investigation Agency"]


def test_eligibility_agencies_while_registration_is_down_get_503_and_write_nothing(
        api, monkeypatch):
    call, runtime = api
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    monkeypatch.setenv("REGISTRATION_URL", f"http://127.0.0.1:{closed}")
    answer = _series_open_to(call, ["Punjab Police"])
    assert answer.status_code == 503
    assert runtime.db["series"].count_documents({}) == 1  # the one _series made
