"""Sessions over real HTTP: a session created can be read back; impossible ones get 422."""

import pytest
import requests


def test_session_created_over_http_can_be_read_back(stack, tokens):
    body = {"kind": "coaching_session", "title": "Coaching on investigative techniques 1 of 3",
            "starts_at": "2021-03-25T09:00:00+05:00", "ends_at": "2021-03-26T17:00:00+05:00",
            "timezone": "Asia/Karachi", "city": "Islamabad", "country": "Pakistan",
            "capacity": 24}
    created = requests.post(f"{stack.urls['sessions']}/sessions", json=body,
                            headers=tokens("coordinator"), timeout=10)
    assert created.status_code == 201, created.text
    session_id = created.json()["id"]
    shown = requests.get(f"{stack.urls['sessions']}/sessions/{session_id}",
                         headers=tokens("coordinator"), timeout=10).json()
    assert shown["status"] == "scheduled"
    assert shown["capacity"] == 24
    assert shown["timezone"] == "Asia/Karachi"
    assert shown["starts_at"] == "2021-03-25T04:00:00+00:00"


def test_viewer_gets_indicators_but_not_the_session(stack, tokens):
    body = {"kind": "coaching_session", "title": "Coaching", "capacity": 5,
            "starts_at": "2021-03-25T09:00:00+05:00", "ends_at": "2021-03-26T17:00:00+05:00",
            "timezone": "Asia/Karachi"}
    session_id = requests.post(f"{stack.urls['sessions']}/sessions", json=body,
                               headers=tokens("coordinator"), timeout=10).json()["id"]
    url = f"{stack.urls['sessions']}/sessions/{session_id}"
    assert requests.get(url, headers=tokens("viewer"), timeout=10).status_code == 403
    figures = requests.get(f"{url}/indicators", headers=tokens("viewer"), timeout=10)
    assert figures.status_code == 200
    assert figures.json()["enrolled"]["total"] == 0


@pytest.mark.parametrize("change, field", [
    ({"ends_at": "2021-03-24T17:00:00+05:00"}, "ends_at"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"capacity": -1}, "capacity"),
])
def test_impossible_session_gets_422_naming_the_field(stack, tokens, change, field):
    body = {"kind": "coaching_session", "title": "Coaching 2 of 3", "capacity": 10,
            "starts_at": "2021-07-20T09:00:00+05:00", "ends_at": "2021-07-21T17:00:00+05:00",
            "timezone": "Asia/Karachi", **change}
    response = requests.post(f"{stack.urls['sessions']}/sessions", json=body,
                             headers=tokens("coordinator"), timeout=10)
    assert response.status_code == 422
    assert field in response.json()["errors"]["json"]


def test_a_series_open_to_an_unlisted_agency_gets_422_and_a_listed_one_its_spelling(stack,
                                                                                    tokens):
    """Sessions asks the running registration for its list (REGISTRATION_URL, as make run sets)."""
    coordinator = tokens("coordinator")
    programme = requests.post(f"{stack.urls['sessions']}/programmes", json={"name": "GLO.ACT"},
                              headers=coordinator, timeout=10).json()
    series = {"programme_id": programme["id"], "title": "Coaching", "planned_sessions": 3}
    refused = requests.post(f"{stack.urls['sessions']}/series", headers=coordinator, timeout=10,
                            json={**series, "eligibility": {"agencies": ["Atlantis Police"]}})
    assert refused.status_code == 422, refused.text
    assert "agencies" in refused.json()["errors"]["json"]["eligibility"]
    created = requests.post(f"{stack.urls['sessions']}/series", headers=coordinator, timeout=10,
                            json={**series, "eligibility": {"agencies": ["PUNJAB POLICE"]}})
    assert created.status_code == 201, created.text
    assert created.json()["eligibility"]["agencies"] == ["Punjab Police"]
