"""Oversized, deeply nested, malformed and non-JSON bodies get a JSON 4xx on every write."""

import uuid

import pytest
import requests

from common.config import load
from services.registration.app import IMPORT_BODY_BYTES
from tests.security.test_authorisation_matrix import HTTP_METHODS
from tests.security.test_injection import _fill

LIMIT = load("e2e").max_body_bytes
# Writes documented with a larger limit of their own: a coordinator's import of 500 officers.
LARGER = {"/participants/imports": IMPORT_BODY_BYTES}
WRITES = {"post", "put", "patch", "delete"}


def _writes(openapi):
    for service, document in sorted(openapi.items()):
        for template, item in document["paths"].items():
            for method in item:
                if method in HTTP_METHODS & WRITES:
                    yield service, method.upper(), _fill(template, {})


def _each_write(stack, tokens, openapi, data, content_type="application/json"):
    """The writes whose answer is not a JSON 4xx, as readable lines."""
    wrong = []
    for service, method, path in _writes(openapi):
        response = requests.request(method, stack.urls[service] + path, data=data, timeout=30,
                                    headers={**tokens("admin"), "Content-Type": content_type})
        if not 400 <= response.status_code < 500 or \
                not response.headers.get("Content-Type", "").startswith("application/json"):
            wrong.append(f"{method} {path}: {response.status_code} {response.text[:100]}")
    return wrong


def test_a_body_over_the_limit_gets_413_on_every_write(stack, tokens, openapi):
    statuses = {}
    for service, method, path in _writes(openapi):
        body = b'{"title": "' + b"x" * LARGER.get(path, LIMIT) + b'"}'
        statuses[(method, path)] = requests.request(
            method, stack.urls[service] + path, data=body, timeout=30,
            headers={**tokens("admin"), "Content-Type": "application/json"}).status_code
    assert {k: s for k, s in statuses.items() if s != 413} == {}
    assert LARGER.keys() <= {path for _, path in statuses}  # each larger limit still applies


def test_a_chunked_body_over_the_limit_gets_413(stack, tokens):
    def chunks():
        yield b'{"given_name": "'
        for _ in range(LIMIT // 1024 + 1):
            yield b"x" * 1024
        yield b'"}'

    response = requests.post(f"{stack.urls['registration']}/participants", data=chunks(),
                             headers={**tokens("admin"), "Content-Type": "application/json"},
                             timeout=30)
    assert response.status_code == 413
    assert response.json()["code"] == 413


@pytest.mark.parametrize("nesting", [
    b"[" * 10_000 + b"]" * 10_000,
    b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
    b"[" * 30_000,
], ids=["arrays", "objects", "unclosed"])
def test_deeply_nested_json_gets_a_4xx_on_every_write(stack, tokens, openapi, nesting):
    assert len(nesting) <= LIMIT
    assert _each_write(stack, tokens, openapi, nesting) == []


@pytest.mark.parametrize(("body", "content_type"), [
    (b'{"given_name": ', "application/json"),
    (b"\xff\xfe{}", "application/json"),
    (b"NaN", "application/json"),
    (b'{"a": 1, "a": {"$gt": ""}}', "application/json"),
    (b"given_name=x&family_name=y", "application/x-www-form-urlencoded"),
    (b"<participant/>", "application/xml"),
    (b'{"given_name": "x"}', "text/plain"),
], ids=["truncated", "not-utf8", "nan", "duplicate-key", "form", "xml", "text"])
def test_malformed_or_non_json_bodies_get_a_4xx_on_every_write(stack, tokens, openapi, body,
                                                                content_type):
    assert _each_write(stack, tokens, openapi, body, content_type) == []


EDGES_OF_TIME = ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00",
                 "9999-12-31T23:59:59+00:00"]


@pytest.mark.parametrize("moment", EDGES_OF_TIME)
def test_dates_at_the_edges_of_time_get_a_4xx_or_are_stored(stack, tokens, world, moment):
    """A date whose UTC form or whose arithmetic (reminders, day ranges) leaves the calendar."""
    coordinator = tokens("coordinator")
    session = {"kind": "training_workshop", "title": "Edge", "timezone": "Asia/Karachi",
               "capacity": 5, "draft": True}
    answers = [
        requests.post(f"{stack.urls['sessions']}/sessions", headers=coordinator, timeout=10,
                      json={**session, "starts_at": moment, "ends_at": moment}),
        requests.post(f"{stack.urls['sessions']}/sessions", headers=coordinator, timeout=10,
                      json={**session, "starts_at": "2033-01-01T09:00:00+05:00",
                            "ends_at": moment}),
        requests.post(f"{stack.urls['sessions']}/sessions/{world['session']}/reschedule",
                      headers=coordinator, timeout=10,
                      json={"starts_at": moment, "ends_at": moment}),
        requests.post(f"{stack.urls['registration']}/participants", headers=coordinator,
                      timeout=10, json={
                          "given_name": "Edge", "family_name": "Case", "gender": "female",
                          "agency": "Punjab Police",
                          "email": f"edge.{uuid.uuid4().hex[:8]}@example.org",
                          "consent": {"policy_version": "2021-01", "given_at": moment}}),
        requests.post(f"{stack.urls['sessions']}/programmes", headers=coordinator, timeout=10,
                      json={"name": "Edge", "period": {"starts_on": moment[:10],
                                                       "ends_on": moment[:10]}}),
        requests.post(f"{stack.urls['sessions']}/sessions/{world['session']}/attendance/"
                      f"{moment[:10]}", headers=coordinator, timeout=10,
                      json={"marks": [{"participant_id": world["participants"][1],
                                       "status": "present"}]}),
        requests.put(f"{stack.urls['sessions']}/sessions/{world['session']}/attendance/"
                     f"{moment[:10]}/{world['participants'][1]}", headers=coordinator,
                     timeout=10, json={"status": "present"}),
    ]
    assert [(a.request.method, a.request.url, a.status_code) for a in answers
            if a.status_code >= 500] == []
