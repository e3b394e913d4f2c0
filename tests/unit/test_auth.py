import time

import jwt
import pytest
from flask import Flask
from flask_smorest import Api

from common.auth import AuthError, mint, requires, verify
from common.config import load

SECRET = "unit-test-secret-that-is-long-enough-for-hs256"
AUD = ISS = "glo-act-platform"


def test_minted_token_verifies_with_its_roles():
    principal = verify(mint(SECRET, "amina", ["coordinator"]), SECRET, AUD, ISS)
    assert principal.subject == "amina"
    assert principal.roles == {"coordinator"}


@pytest.mark.parametrize("token, reason", [
    (lambda: mint(SECRET, "a", ["viewer"], ttl_s=-60), "expired"),
    (lambda: mint("another-secret-entirely-0123456789abcdef", "a", ["viewer"]), "invalid"),
    (lambda: mint(SECRET, "a", ["viewer"], audience="someone-else"), "audience"),
    (lambda: mint(SECRET, "a", ["viewer"])[:-3] + "AAA", "invalid"),
    (lambda: jwt.encode({"sub": "a", "roles": ["admin"], "aud": AUD, "iss": ISS,
                         "iat": int(time.time()), "exp": int(time.time()) + 60},
                        None, algorithm="none"), "invalid"),
    (lambda: jwt.encode({"sub": "a", "roles": ["admin"], "aud": AUD, "iss": ISS,
                         "iat": int(time.time()), "nbf": int(time.time()) + 600,
                         "exp": int(time.time()) + 900}, SECRET, algorithm="HS256"),
     "not yet valid"),
])
def test_untrustworthy_tokens_are_refused_with_a_reason(token, reason):
    with pytest.raises(AuthError) as caught:
        verify(token(), SECRET, AUD, ISS)
    assert reason in str(caught.value)


def test_minting_an_unknown_role_is_refused():
    with pytest.raises(ValueError):
        mint(SECRET, "a", ["superuser"])


@pytest.fixture
def client(monkeypatch):
    monkeypatch.setenv("JWT_SECRET", SECRET)
    app = Flask("t")
    app.config.update(SETTINGS=load("test"), API_TITLE="t", API_VERSION="1",
                      OPENAPI_VERSION="3.0.3")
    Api(app)  # flask-smorest renders aborts as JSON, as in the services

    @app.post("/participants")
    @requires("coordinator")
    def write():
        return {"ok": True}

    return app.test_client()


def _bearer(roles):
    return {"Authorization": f"Bearer {mint(SECRET, 'someone', roles)}"}


def test_no_token_gets_401_json(client):
    response = client.post("/participants")
    assert response.status_code == 401
    assert "bearer" in response.get_json()["message"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_viewer_writing_gets_403_json(client):
    response = client.post("/participants", headers=_bearer(["viewer"]))
    assert response.status_code == 403
    assert "coordinator" in response.get_json()["message"]


def test_coordinator_and_admin_may_write(client):
    assert client.post("/participants", headers=_bearer(["coordinator"])).status_code == 200
    assert client.post("/participants", headers=_bearer(["admin"])).status_code == 200


def test_expired_token_gets_401(client):
    headers = {"Authorization": f"Bearer {mint(SECRET, 'a', ['admin'], ttl_s=-60)}"}
    response = client.post("/participants", headers=headers)
    assert response.status_code == 401
    assert "expired" in response.get_json()["message"]


def test_a_token_living_longer_than_the_maximum_is_refused():
    now = int(time.time())
    long_lived = jwt.encode({"sub": "a", "roles": ["viewer"], "iat": now, "nbf": now,
                             "exp": now + 13 * 3600, "aud": AUD, "iss": ISS}, SECRET,
                            algorithm="HS256")
    with pytest.raises(AuthError, match="lifetime"):
        verify(long_lived, SECRET, AUD, ISS, max_ttl_s=12 * 3600)
    assert verify(mint(SECRET, "a", ["viewer"], 3600), SECRET, AUD, ISS,
                  max_ttl_s=12 * 3600).subject == "a"


def test_minting_beyond_the_maximum_lifetime_is_refused():
    with pytest.raises(ValueError, match="12 h|43200"):
        mint(SECRET, "a", ["viewer"], ttl_s=13 * 3600, max_ttl_s=12 * 3600)


def test_a_token_without_expiry_is_refused():
    now = int(time.time())
    forever = jwt.encode({"sub": "a", "roles": ["viewer"], "iat": now, "aud": AUD, "iss": ISS},
                         SECRET, algorithm="HS256")
    with pytest.raises(AuthError):
        verify(forever, SECRET, AUD, ISS)


def test_the_maximum_lifetime_is_configurable(monkeypatch):
    monkeypatch.setenv("JWT_MAX_TTL_SECONDS", "600")
    assert load("sessions").jwt_max_ttl_s == 600
    monkeypatch.delenv("JWT_MAX_TTL_SECONDS")
    assert load("sessions").jwt_max_ttl_s == 12 * 3600


def test_a_token_is_checked_by_its_signature_once_per_process(client, monkeypatch):
    decoded = []
    real_decode = jwt.decode
    monkeypatch.setattr(jwt, "decode", lambda *a, **k: decoded.append(1) or real_decode(*a, **k))
    headers = _bearer(["coordinator"])
    for _ in range(3):
        assert client.post("/participants", headers=headers).status_code == 200
    assert len(decoded) == 1


def test_a_remembered_token_is_refused_once_it_expires(client, monkeypatch):
    headers = {"Authorization": f"Bearer {mint(SECRET, 'a', ['admin'], ttl_s=60)}"}
    assert client.post("/participants", headers=headers).status_code == 200
    later = time.time() + 60 + 6  # past its expiry and the leeway
    monkeypatch.setattr(time, "time", lambda: later)
    response = client.post("/participants", headers=headers)
    assert response.status_code == 401
    assert "expired" in response.get_json()["message"]


def test_a_remembered_token_keeps_its_roles_checked_per_view(client):
    headers = _bearer(["viewer"])
    assert client.post("/participants", headers=headers).status_code == 403
    assert client.post("/participants", headers=headers).status_code == 403
