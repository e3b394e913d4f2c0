"""Registration as deployed: the worker enrolls a cohort from sessions' events, a withdrawal
promotes the first waitlisted officer and notifications tells her."""

import uuid

import pytest
import requests

from common.envelope import new_event
from common.producer import EventProducer
from tests.conftest import wait_for


@pytest.fixture
def publish_sessions(stack_topics, kafka_bootstrap):
    """Publish to the stack's sessions topic what the sessions service would publish."""
    producer = EventProducer(kafka_bootstrap, client_id="e2e-sessions")

    def publish(event_type: str, subject: str, data: dict) -> None:
        event = new_event(event_type, subject, data, "sessions", str(uuid.uuid4()))
        assert producer.publish(stack_topics["sessions"], [event]) == [event.id]

    yield publish
    producer.close()


def _scheduled(session_id, capacity, series_id=None, position=None):
    return {"session_id": session_id, "series_id": series_id, "position": position,
            "planned_sessions": 3 if series_id else None, "kind": "coaching_session",
            "title": "Coaching on investigative techniques", "starts_at": "2030-03-25T04:00:00Z",
            "ends_at": "2030-03-26T12:00:00Z", "timezone": "Asia/Karachi", "capacity": capacity,
            "venue": "Serena", "city": "Islamabad", "country": "Pakistan", "languages": ["en"]}


def _register(stack, tokens, tag):
    profile = {"given_name": "Nadia", "family_name": "Aslam", "gender": "female",
               "agency": "Federal Investigation Agency", "email": f"nadia.{tag}@example.org",
               "preferred_language": "en", "unit": "AHT Circle Islamabad",
               "consent": {"policy_version": "2021-01", "given_at": "2021-03-01T09:00:00Z"}}
    created = requests.post(f"{stack.urls['registration']}/participants", json=profile,
                            headers=tokens("coordinator"), timeout=10)
    assert created.status_code == 201, created.text
    return created.json()["id"]


def _get(stack, tokens, path, **params):
    response = requests.get(f"{stack.urls['registration']}{path}", params=params,
                            headers=tokens("viewer"), timeout=10)
    return response.json() if response.status_code == 200 else None


def test_new_session_of_a_series_enrolls_its_cohort_without_anyone_calling_registration(
        stack, tokens, publish_sessions):
    series_id, first, second = (str(uuid.uuid4()) for _ in range(3))
    publish_sessions("sessions.series.created", series_id, {
        "series_id": series_id, "programme_id": "glo-act", "title": "Coaching series",
        "planned_sessions": 3, "origin_session_id": None,
        "eligibility": {"genders": ["female"], "agencies": None}})
    publish_sessions("sessions.session.scheduled", first, _scheduled(first, 24, series_id, 1))
    wait_for(lambda: _get(stack, tokens, f"/sessions/{first}"), timeout_s=30)
    wait_for(lambda: _get(stack, tokens, f"/series/{series_id}"), timeout_s=30)

    officer = _register(stack, tokens, uuid.uuid4().hex[:8])
    joined = requests.post(f"{stack.urls['registration']}/series/{series_id}/cohort",
                           json={"participant_id": officer}, headers=tokens("coordinator"),
                           timeout=10)
    assert [e["status"] for e in joined.json()["enrollments"]] == ["confirmed"]

    publish_sessions("sessions.session.scheduled", second, _scheduled(second, 24, series_id, 2))

    def enrolled_in_second():
        found = _get(stack, tokens, "/enrollments", participant_id=officer, session_id=second)
        return found if found else None

    enrolled = wait_for(enrolled_in_second, timeout_s=30)
    assert [(e["status"], e["series_id"]) for e in enrolled] == [("confirmed", series_id)]


def test_withdrawal_promotes_the_first_waitlisted_and_notifications_tells_her(
        stack, tokens, publish_sessions):
    session_id = str(uuid.uuid4())
    publish_sessions("sessions.session.scheduled", session_id, _scheduled(session_id, 1))
    wait_for(lambda: _get(stack, tokens, f"/sessions/{session_id}"), timeout_s=30)
    tag = uuid.uuid4().hex[:8]
    holder, first, second = (_register(stack, tokens, f"{n}{tag}") for n in range(3))
    answers = [requests.post(f"{stack.urls['registration']}/enrollments",
                             json={"participant_id": p, "session_id": session_id},
                             headers=tokens("coordinator"), timeout=10).json()
               for p in (holder, first, second)]
    assert [a["status"] for a in answers] == ["confirmed", "waitlisted", "waitlisted"]

    withdrawn = requests.post(
        f"{stack.urls['registration']}/enrollments/{answers[0]['id']}/withdrawal",
        headers=tokens("coordinator"), timeout=10)
    assert withdrawn.json()["status"] == "withdrawn"
    seats = _get(stack, tokens, f"/sessions/{session_id}")
    assert [w["participant_id"] for w in seats["waiting_list"]] == [second]
    assert _get(stack, tokens, f"/enrollments/{answers[1]['id']}")["status"] == "confirmed"

    def told():
        found = requests.get(f"{stack.urls['notifications']}/notifications",
                             params={"recipient_id": first}, headers=tokens("viewer"),
                             timeout=10).json()
        return [n for n in found if n["kind"] == "enrollment_promoted"]

    assert len(wait_for(told, timeout_s=30)) == 1
