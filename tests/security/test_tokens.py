"""Tokens that must not be trusted are refused with a JSON 401 by every running service."""

import base64
import json
import time
import uuid

import jwt
import pytest
import requests

from common.config import load

# HS512 with the platform's (HS256-sized) secret is deliberate in "other algorithm".
pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
SETTINGS = load("e2e")
# One read every role may make on each service: a 401 here is the token's fault alone.
PROBES = {"registration": "/agencies", "sessions": "/sessions/{id}/indicators",
          "notifications": "/notifications"}


def _claims(**changes) -> dict:
    now = int(time.time())
    claims = {"sub": "e2e", "roles": ["admin"], "iat": now, "nbf": now, "exp": now + 600,
              "aud": SETTINGS.jwt_audience, "iss": SETTINGS.jwt_issuer, "jti": str(uuid.uuid4())}
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _signed(claims: dict, secret: str = SETTINGS.jwt_secret) -> str:
    return jwt.encode(claims, secret, algorithm="HS256")


def _unsigned(claims: dict) -> str:
    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def _other_algorithm(claims: dict) -> str:
    """HS512 with the right secret: only HS256 is accepted."""
    return jwt.encode(claims, SETTINGS.jwt_secret, algorithm="HS512")


HOUR = 3600
UNTRUSTED = {
    "expired": lambda: _signed(_claims(iat=int(time.time()) - 2 * HOUR,
                                       nbf=int(time.time()) - 2 * HOUR,
                                       exp=int(time.time()) - HOUR)),
    "not yet valid": lambda: _signed(_claims(nbf=int(time.time()) + HOUR,
                                             exp=int(time.time()) + 2 * HOUR)),
    "wrong signature": lambda: _signed(_claims(), secret="not-the-platform-secret-0123456789"),
    "alg none": lambda: _unsigned(_claims()),
    "other algorithm": lambda: _other_algorithm(_claims()),
    "wrong audience": lambda: _signed(_claims(aud="some-other-platform")),
    "wrong issuer": lambda: _signed(_claims(iss="someone-else")),
    "no expiry": lambda: _signed(_claims(exp=None)),
    "lifetime over the maximum": lambda: _signed(_claims(exp=int(time.time()) + 13 * HOUR)),
    "no subject": lambda: _signed(_claims(sub=None)),
    "no roles": lambda: _signed(_claims(roles=None)),
    "roles not a list": lambda: _signed(_claims(roles="admin")),
    "garbage": lambda: "not-a-jwt",
    "garbage segments": lambda: "e30.e30.e30",
    "tampered payload": lambda: _tampered(),
}


def _tampered() -> str:
    header, _, signature = _signed(_claims(roles=["viewer"])).split(".")
    payload = base64.urlsafe_b64encode(json.dumps(_claims()).encode()).rstrip(b"=").decode()
    return f"{header}.{payload}.{signature}"


@pytest.mark.parametrize("service", sorted(PROBES))
@pytest.mark.parametrize("case", sorted(UNTRUSTED))
def test_an_untrusted_token_gets_a_json_401(stack, service, case):
    url = stack.urls[service] + PROBES[service].format(id=uuid.uuid4())
    response = requests.get(url, headers={"Authorization": f"Bearer {UNTRUSTED[case]()}"},
                            timeout=10)
    assert response.status_code == 401, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["code"] == 401
    assert response.json()["message"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token x"])
def test_a_missing_or_foreign_scheme_gets_a_json_401(stack, header):
    response = requests.get(stack.urls["registration"] + "/agencies",
                            headers={"Authorization": header}, timeout=10)
    assert response.status_code == 401
    assert response.json()["code"] == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_token_with_only_unknown_roles_is_forbidden_not_trusted(stack):
    token = _signed(_claims(roles=["superuser"]))
    response = requests.get(stack.urls["registration"] + "/agencies",
                            headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert response.status_code == 403


def test_the_control_token_is_accepted(stack):
    """The same claims, untampered, pass: the refusals above are the defects' doing."""
    response = requests.get(stack.urls["registration"] + "/agencies",
                            headers={"Authorization": f"Bearer {_signed(_claims())}"}, timeout=10)
    assert response.status_code == 200
