"""`Idempotency-Key` never lets a caller past the role check, and never replays a refusal."""

from common.auth import mint
from tests.integration.registration.helpers import participants_stored, profile_of


def _bearer(config, subject, *roles):
    token = mint(config.jwt_secret, subject, list(roles), 600, config.jwt_audience,
                 config.jwt_issuer)
    return {"Authorization": f"Bearer {token}"}


def test_a_viewer_replaying_a_coordinators_key_is_refused_and_sees_nothing(api, unique):
    client, runtime, config = api
    key = {"Idempotency-Key": f"register-{unique}"}
    first = client.post("/participants", json=profile_of(unique),
                        headers={**_bearer(config, "amina", "coordinator"), **key})
    assert first.status_code == 201
    replayed = client.post("/participants", json=profile_of(unique),
                           headers={**_bearer(config, "amina", "viewer"), **key})
    assert replayed.status_code == 403
    assert "Idempotent-Replayed" not in replayed.headers
    assert profile_of(unique)["email"] not in replayed.get_data(as_text=True)


def test_a_refused_request_is_not_replayed_once_the_caller_may_write(api, unique):
    client, runtime, config = api
    key = {"Idempotency-Key": f"register-{unique}"}
    refused = client.post("/participants", json=profile_of(unique),
                          headers={**_bearer(config, "amina", "viewer"), **key})
    assert refused.status_code == 403
    accepted = client.post("/participants", json=profile_of(unique),
                           headers={**_bearer(config, "amina", "coordinator"), **key})
    assert accepted.status_code == 201, accepted.get_json()
    assert participants_stored(runtime) == 1


def test_an_unauthenticated_request_does_not_use_up_the_key(api, unique):
    client, runtime, config = api
    key = {"Idempotency-Key": f"register-{unique}"}
    stale = mint("not-the-platform-secret-but-long-enough-0123456789", "amina",
                 ["coordinator"], 600, config.jwt_audience, config.jwt_issuer)
    refused = client.post("/participants", json=profile_of(unique),
                          headers={"Authorization": f"Bearer {stale}", **key})
    assert refused.status_code == 401
    accepted = client.post("/participants", json=profile_of(unique),
                           headers={**_bearer(config, "amina", "coordinator"), **key})
    assert accepted.status_code == 201


def test_the_same_key_with_another_body_gets_422_naming_the_header(api, unique):
    client, runtime, config = api
    headers = {**_bearer(config, "amina", "coordinator"), "Idempotency-Key": f"k-{unique}"}
    assert client.post("/participants", json=profile_of(unique), headers=headers)\
        .status_code == 201
    other = client.post("/participants", json=profile_of(unique, given_name="Sadia"),
                        headers=headers)
    assert other.status_code == 422
    body = other.get_json()
    assert "Idempotency-Key" in body["message"]
    assert "Idempotency-Key" in body["errors"]["headers"]
    assert participants_stored(runtime) == 1


def test_a_key_is_the_callers_own(api, unique):
    client, runtime, config = api
    key = {"Idempotency-Key": f"register-{unique}"}
    assert client.post("/participants", json=profile_of(unique),
                       headers={**_bearer(config, "amina", "coordinator"), **key})\
        .status_code == 201
    other = client.post("/participants", json=profile_of(unique),
                        headers={**_bearer(config, "bushra", "coordinator"), **key})
    assert other.status_code == 409  # her own request, judged on its own: a duplicate email
    assert "Idempotent-Replayed" not in other.headers
