"""The press release, end to end: real APIs and workers, real events, the donors' figures.

Registration's enrollment API is being built in parallel, so the test publishes the enrollment
events registration will publish (docs/events.md), on the stack's own registration topic.
"""

import uuid

import pytest
import requests

from common.envelope import new_event
from common.producer import EventProducer
from tests.conftest import wait_for

FIA, PUNJAB = "FIA", "Punjab Police"
MARCH_DAYS = ("2021-03-25", "2021-03-26")
JULY_DAYS = ("2021-07-20", "2021-07-21")


@pytest.fixture
def sessions_api(stack, tokens):
    def call(method, path, role="coordinator", expect=(200, 201), **kwargs):
        response = requests.request(method, f"{stack.urls['sessions']}{path}",
                                    headers=tokens(role), timeout=10, **kwargs)
        assert response.status_code in expect, response.text
        return response.json()
    return call


@pytest.fixture
def registration(kafka_bootstrap, stack_topics):
    producer = EventProducer(kafka_bootstrap, "e2e-registration")

    def confirm(officers, session):
        events = [new_event("registration.enrollment.confirmed", enrollment_id, {
            "enrollment_id": enrollment_id, "participant_id": officer["participant_id"],
            "session_id": session["id"], "series_id": session["series_id"],
            "gender": officer["gender"], "agency": officer["agency"]}, "registration")
            for officer in officers
            for enrollment_id in [str(uuid.uuid4())]]
        assert len(producer.publish(stack_topics["registration"], events)) == len(events)

    yield confirm
    producer.close()


def _session(call, **details):
    body = {"kind": "coaching_session", "format": "semi_structured_coaching",
            "topics": ["investigative techniques for TIP and SOM"], "timezone": "Asia/Karachi",
            "venue": "UNODC Country Office", "city": "Islamabad", "country": "Pakistan",
            "capacity": 24, "languages": ["en", "ur"], **details}
    return call("POST", "/sessions", json=body)


def _roster_size(call, session_id):
    return len(call("GET", f"/sessions/{session_id}/roster", params={"page_size": 100}))


def _hold(call, session_id, days, absent=()):
    """Run a session: start it, take attendance for each day, complete it."""
    call("POST", f"/sessions/{session_id}/start")
    roster = call("GET", f"/sessions/{session_id}/roster", params={"page_size": 100})
    for day in days:
        call("POST", f"/sessions/{session_id}/attendance/{day}", json={"marks": [
            {"participant_id": entry["participant_id"],
             "status": "absent" if entry["participant_id"] in absent else "present"}
            for entry in roster]})
    call("POST", f"/sessions/{session_id}/complete")


def test_press_release_cohort_through_the_coaching_series(sessions_api, registration):
    call = sessions_api
    programme = call("POST", "/programmes", json={
        "name": "GLO.ACT Asia and the Middle East",
        "description": "Global Action against Trafficking in Persons and the Smuggling of "
                       "Migrants", "donors": ["European Union"],
        "countries": ["Afghanistan", "Iran", "Iraq", "Pakistan"],
        "period": {"starts_on": "2018-01-01", "ends_on": "2022-12-31"}})
    workshop = _session(call, kind="training_workshop", format="classroom",
                        title="Specialist training on investigative techniques",
                        programme_id=programme["id"], starts_at="2020-11-09T09:00:00+05:00",
                        ends_at="2020-11-13T17:00:00+05:00")
    series = call("POST", "/series", json={
        "programme_id": programme["id"], "planned_sessions": 3,
        "title": "Coaching on investigative techniques, 2021",
        "origin_session_id": workshop["id"]})
    first = _session(call, title="Coaching session 1", series_id=series["id"],
                     starts_at="2021-03-25T09:00:00+05:00", ends_at="2021-03-26T17:00:00+05:00")
    second = _session(call, title="Coaching session 2", series_id=series["id"],
                      starts_at="2021-07-20T09:00:00+05:00", ends_at="2021-07-21T17:00:00+05:00")
    for given, family, organisation, role in [
            ("Martin", "Reeve", "UNODC", "regional_advisor"),
            ("Jawad", "Hussain", "FIA", "law_enforcement_expert"),
            ("Qasim", "Khan", "Independent defence attorney", "prosecution_expert")]:
        person = call("POST", "/facilitators", json={
            "given_name": given, "family_name": family, "organisation": organisation})
        call("PUT", f"/sessions/{first['id']}/facilitators/{person['id']}", json={"role": role})

    officers = [{"participant_id": str(uuid.uuid4()), "gender": "female",
                 "agency": FIA if n < 18 else PUNJAB} for n in range(24)]
    registration(officers, first)
    registration(officers, second)
    wait_for(lambda: _roster_size(call, first["id"]) == 24
             and _roster_size(call, second["id"]) == 24, timeout_s=45)

    _hold(call, first["id"], MARCH_DAYS)
    shown = call("GET", f"/sessions/{first['id']}/indicators", role="viewer")
    assert shown["enrolled"] == {"total": 24, "by_gender": {"female": 24},
                                 "by_agency": {FIA: 18, PUNJAB: 6}, "percent_women": 100.0,
                                 "percent_by_agency": {FIA: 75.0, PUNJAB: 25.0}}
    assert shown["attended"]["total"] == 24
    assert shown["days"] == 2
    assert shown["attendance_rate"] == 1.0
    assert [(d["day"], d["rate"]) for d in shown["attendance_by_day"]] == [
        (MARCH_DAYS[0], 1.0), (MARCH_DAYS[1], 1.0)]
    assert (shown["position"], shown["planned_sessions"]) == (1, 3)
    assert shown["next_session"]["session_id"] == second["id"]
    assert shown["next_session"]["starts_at"].startswith("2021-07")
    assert len(call("GET", f"/sessions/{first['id']}")["facilitators"]) == 3

    missing = officers[23]["participant_id"]
    _hold(call, second["id"], JULY_DAYS, absent={missing})
    retention = call("GET", f"/series/{series['id']}/indicators", role="viewer")
    assert (retention["retained"]["total"], retention["cohort"]["total"]) == (23, 24)
    assert retention["retained"]["by_agency"] == {FIA: 18, PUNJAB: 5}
    assert retention["sessions_held"] == 2
    published = call("GET", f"/series/{series['id']}/indicators", role="viewer",
                     params={"min_cell": 10})
    assert published["retained"]["by_agency"] == {FIA: 18, PUNJAB: None}
    # FIA's 78.3 % of 23 would give Punjab's hidden 5 back: every agency share is hidden.
    assert retention["retained"]["percent_by_agency"] == {FIA: round(1800 / 23, 1),
                                                          PUNJAB: round(500 / 23, 1)}
    assert published["retained"]["percent_by_agency"] == {FIA: None, PUNJAB: None}
    assert published["retained"]["percent_women"] == 100.0

    overall = call("GET", f"/programmes/{programme['id']}/indicators", role="viewer")
    assert (overall["sessions"], overall["sessions_held"]) == (3, 2)
    assert overall["enrolled"]["by_agency"] == {FIA: 18, PUNJAB: 6}
    assert overall["attended"]["total"] == 24
