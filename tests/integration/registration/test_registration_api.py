"""Registration's HTTP API on the real database and broker, through the Flask test client."""

import json

import pytest

from common.envelope import Event
from tests.conftest import read_topic
from tests.integration.registration.helpers import auth, participants_stored, profile_of


def test_registered_participant_is_stored_and_announced_without_contact_details(
        api, unique, kafka_bootstrap):
    client, runtime, config = api
    headers = {**auth(config, "coordinator"), "X-Request-ID": "req-" + unique}
    response = client.post("/participants", json=profile_of(unique), headers=headers)
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
                         headers=auth(config, "service"))
    assert contact.status_code == 200
    assert (contact.get_json()["email"], contact.get_json()["given_name"]) == (
        body["email"], "Ayesha")
    for role in ("coordinator", "viewer"):
        assert client.get(f"/participants/{body['id']}/contact",
                          headers=auth(config, role)).status_code == 403


def test_viewer_sees_a_pseudonymousprofile_of(api, unique):
    client, _, config = api
    created = client.post("/participants", json=profile_of(unique),
                          headers=auth(config, "coordinator")).get_json()
    shown = client.get(f"/participants/{created['id']}", headers=auth(config, "viewer"))
    assert shown.status_code == 200
    assert set(shown.get_json()) == {"id", "gender", "agency", "registered_at"}


def test_duplicate_email_gets_409_with_the_existing_id(api, unique):
    client, runtime, config = api
    first = client.post("/participants", json=profile_of(unique),
                        headers=auth(config, "coordinator")).get_json()
    again = client.post("/participants", json=profile_of(unique, email=first["email"].upper()),
                        headers=auth(config, "coordinator"))
    assert again.status_code == 409
    assert again.get_json()["existing_id"] == first["id"]
    assert participants_stored(runtime) == 1


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
    profile = {k: v for k, v in profile_of(unique, **change).items() if v is not None}
    response = client.post("/participants", json=profile, headers=auth(config, "coordinator"))
    assert response.status_code == 422
    assert field in response.get_json()["errors"]["json"]
    assert participants_stored(runtime) == 0


def test_missing_fields_are_each_named(api):
    client, runtime, config = api
    response = client.post("/participants", json={}, headers=auth(config, "coordinator"))
    assert response.status_code == 422
    errors = response.get_json()["errors"]["json"]
    assert {"given_name", "family_name", "gender", "agency", "email", "consent"} <= set(errors)


def test_no_token_gets_401_and_viewer_gets_403_and_nothing_is_written(api, unique):
    client, runtime, config = api
    assert client.post("/participants", json=profile_of(unique)).status_code == 401
    forbidden = client.post("/participants", json=profile_of(unique),
                            headers=auth(config, "viewer"))
    assert forbidden.status_code == 403
    assert forbidden.get_json()["code"] == 403
    assert participants_stored(runtime) == 0


def test_body_over_the_limit_gets_413_and_writes_nothing(api, unique):
    client, runtime, config = api
    big = json.dumps(profile_of(unique, given_name="A" * (config.max_body_bytes + 10)))
    response = client.post("/participants", data=big, content_type="application/json",
                           headers=auth(config, "coordinator"))
    assert response.status_code == 413
    assert response.get_json()["code"] == 413
    assert participants_stored(runtime) == 0


def test_repeated_idempotency_key_returns_the_first_answer(api, unique):
    client, runtime, config = api
    headers = {**auth(config, "coordinator"), "Idempotency-Key": f"key-{unique}"}
    first = client.post("/participants", json=profile_of(unique), headers=headers)
    again = client.post("/participants", json=profile_of(unique), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    other_body = client.post("/participants", json=profile_of(unique, given_name="B"),
                             headers=headers)
    assert other_body.status_code == 422
    assert participants_stored(runtime) == 1
