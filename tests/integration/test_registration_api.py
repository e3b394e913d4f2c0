"""Registration's HTTP API on the real database and broker, through the Flask test client."""

import json

import pytest

from common.auth import mint
from common.dispatch import Dispatcher, ProcessedEvents
from common.envelope import Event, new_event
from common.runtime import Runtime
from common.topics import SESSIONS_EVENTS
from services.registration.app import create_app
from services.registration.handlers import build_registry
from services.registration.indexes import ensure_all
from tests.conftest import read_topic


@pytest.fixture
def api(settings, make_topic, unique):
    """Registration's app on a throwaway database and topic: (client, runtime, settings)."""
    config = settings("registration")
    topic = make_topic(f"it.{unique}.registration")
    runtime = Runtime(config, topic, indexes=ensure_all)
    app = create_app(runtime)
    yield app.test_client(), runtime, config
    runtime.producer.close()


def auth(config, *roles):
    token = mint(config.jwt_secret, "tester", list(roles), 600, config.jwt_audience,
                 config.jwt_issuer)
    return {"Authorization": f"Bearer {token}"}


def profile_of(unique, **changes):
    profile = {"given_name": "Ayesha", "family_name": "Khan", "gender": "female",
               "agency": "Federal Investigation Agency", "email": f"ayesha.{unique}@example.org",
               "phone": "+923001234567", "preferred_language": "ur",
               "consent": {"policy_version": "2021-01", "given_at": "2021-03-01T09:00:00Z"}}
    profile.update(changes)
    return profile


_auth, _profile = auth, profile_of


def register(client, config, unique, **changes) -> dict:
    """A registered participant, as the API answered."""
    response = client.post("/participants", json=profile_of(unique, **changes),
                           headers=auth(config, "coordinator"))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def scheduled(session_id, capacity, series_id=None, position=None) -> dict:
    """The data of `sessions.session.scheduled` as docs/events.md has it."""
    return {"session_id": session_id, "series_id": series_id, "position": position,
            "planned_sessions": 3 if series_id else None, "kind": "coaching_session",
            "title": "Coaching on investigative techniques", "starts_at": "2021-03-25T04:00:00Z",
            "ends_at": "2021-03-26T12:00:00Z", "timezone": "Asia/Karachi", "capacity": capacity,
            "venue": "Serena", "city": "Islamabad", "country": "Pakistan",
            "languages": ["en", "ur"]}


def series_created(series_id, genders=None, agencies=None, origin=None) -> dict:
    return {"series_id": series_id, "programme_id": "glo-act", "title": "Coaching series",
            "planned_sessions": 3, "origin_session_id": origin,
            "eligibility": {"genders": genders, "agencies": agencies}}


def deliver(runtime, event_type, data) -> Event:
    """Hand a sessions event to registration's handlers exactly as the consumer loop does."""
    event = new_event(event_type, data.get("session_id") or data["series_id"], data,
                      "sessions")
    dispatcher = Dispatcher(build_registry(runtime),
                            ProcessedEvents(runtime.db["processed_events"]), max_attempts=1)
    outcome = dispatcher.dispatch(SESSIONS_EVENTS, event.to_bytes())
    assert outcome.action == "handled", outcome
    return event


def _count(runtime):
    return runtime.db["participants"].count_documents({})


def test_registered_participant_is_stored_and_announced_without_contact_details(
        api, unique, kafka_bootstrap):
    client, runtime, config = api
    headers = {**_auth(config, "coordinator"), "X-Request-ID": "req-" + unique}
    response = client.post("/participants", json=_profile(unique), headers=headers)
    assert response.status_code == 201
    body = response.get_json()
    assert body["email"] == f"ayesha.{unique}@example.org"
    assert response.headers["X-Request-ID"] == "req-" + unique

    records = read_topic(kafka_bootstrap, runtime.topic, until=lambda r: len(r) >= 1)
    event = Event.from_bytes(records[0].value)
    assert event.type == "registration.participant.registered"
    assert event.subject == body["id"]
    assert event.correlationid == "req-" + unique
    assert "ayesha" not in records[0].value.decode().lower()  # no name or email in clear
    # Initials are all that public certificate verification shows of her; no name, no contact.
    assert set(event.data) == {"participant_id", "gender", "agency", "preferred_language",
                               "initials"}
    contact = client.get(f"/participants/{body['id']}/contact",
                         headers=_auth(config, "service"))
    assert contact.status_code == 200
    assert (contact.get_json()["email"], contact.get_json()["given_name"]) == (
        body["email"], "Ayesha")
    for role in ("coordinator", "viewer"):
        assert client.get(f"/participants/{body['id']}/contact",
                          headers=_auth(config, role)).status_code == 403


def test_viewer_sees_a_pseudonymous_profile(api, unique):
    client, _, config = api
    created = client.post("/participants", json=_profile(unique),
                          headers=_auth(config, "coordinator")).get_json()
    shown = client.get(f"/participants/{created['id']}", headers=_auth(config, "viewer"))
    assert shown.status_code == 200
    assert set(shown.get_json()) == {"id", "gender", "agency", "registered_at"}


def test_duplicate_email_gets_409_with_the_existing_id(api, unique):
    client, runtime, config = api
    first = client.post("/participants", json=_profile(unique),
                        headers=_auth(config, "coordinator")).get_json()
    again = client.post("/participants", json=_profile(unique, email=first["email"].upper()),
                        headers=_auth(config, "coordinator"))
    assert again.status_code == 409
    assert again.get_json()["existing_id"] == first["id"]
    assert _count(runtime) == 1


@pytest.mark.parametrize("change, field", [
    ({"given_name": None}, "given_name"),
    ({"gender": "unknown"}, "gender"),
    ({"phone": "0300-1234567"}, "phone"),
    ({"email": 42}, "email"),
    ({"badge": "Inspector"}, "badge"),
    ({"consent": {"policy_version": "2021-01"}}, "consent"),
    ({"email": {"$gt": ""}}, "email"),
    ({"$where": "1 == 1"}, "$where"),
])
def test_bad_input_gets_422_naming_the_field_and_writes_nothing(api, unique, change, field):
    client, runtime, config = api
    profile = {k: v for k, v in _profile(unique, **change).items() if v is not None}
    response = client.post("/participants", json=profile, headers=_auth(config, "coordinator"))
    assert response.status_code == 422
    assert field in response.get_json()["errors"]["json"]
    assert _count(runtime) == 0


def test_missing_fields_are_each_named(api):
    client, runtime, config = api
    response = client.post("/participants", json={}, headers=_auth(config, "coordinator"))
    assert response.status_code == 422
    errors = response.get_json()["errors"]["json"]
    assert {"given_name", "family_name", "gender", "agency", "email", "consent"} <= set(errors)


def test_no_token_gets_401_and_viewer_gets_403_and_nothing_is_written(api, unique):
    client, runtime, config = api
    assert client.post("/participants", json=_profile(unique)).status_code == 401
    forbidden = client.post("/participants", json=_profile(unique),
                            headers=_auth(config, "viewer"))
    assert forbidden.status_code == 403
    assert forbidden.get_json()["code"] == 403
    assert _count(runtime) == 0


def test_body_over_the_limit_gets_413_and_writes_nothing(api, unique):
    client, runtime, config = api
    big = json.dumps(_profile(unique, given_name="A" * (config.max_body_bytes + 10)))
    response = client.post("/participants", data=big, content_type="application/json",
                           headers=_auth(config, "coordinator"))
    assert response.status_code == 413
    assert response.get_json()["code"] == 413
    assert _count(runtime) == 0


def test_repeated_idempotency_key_returns_the_first_answer(api, unique):
    client, runtime, config = api
    headers = {**_auth(config, "coordinator"), "Idempotency-Key": f"key-{unique}"}
    first = client.post("/participants", json=_profile(unique), headers=headers)
    again = client.post("/participants", json=_profile(unique), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    other_body = client.post("/participants", json=_profile(unique, given_name="B"),
                             headers=headers)
    assert other_body.status_code == 422
    assert _count(runtime) == 1
