"""Text no service may store: a lone UTF-16 surrogate or a NUL in any string field of any write
body, or a control character in any query string, is a 422 naming that field, never a 500.

The walk follows each service's OpenAPI document: every operation with a JSON body gets a valid
body (the table below, which must name every such operation) with one string spoiled at a time,
nested objects and list items included. Path ids name the flow's real records, so a 500 from the
database driver (pymongo cannot encode a surrogate) would surface here, and nothing is written.
"""

import copy
import uuid

import requests

from tests.security.test_authorisation_matrix import HTTP_METHODS
from tests.security.test_injection import _fill, _path_values, _stored

CONSENT = {"policy_version": "2021-01", "given_at": "2021-03-01T09:00:00Z"}
PROFILE = {"given_name": "Qudsia", "family_name": "Bhutto", "gender": "female",
           "agency": "Punjab Police", "email": "q@example.org", "unit": "AHTC", "rank": "SI",
           "phone": "+923001234567", "preferred_language": "ur", "service_number": "PP-1",
           "consent": CONSENT,
           "duty_station": {"city": "Lahore", "province": "Punjab", "country": "Pakistan"}}
WHEN = {"starts_at": "2033-03-25T09:00:00+05:00", "ends_at": "2033-03-26T17:00:00+05:00"}
PLACE = {"venue": "Serena", "city": "Islamabad", "country": "Pakistan"}
VALID_BODIES = {  # (service, method, path): a body the schema accepts
    ("registration", "POST", "/participants"): PROFILE,
    ("registration", "PATCH", "/participants/{participant_id}"): PROFILE,
    ("registration", "POST", "/agencies"): {"name": "Sindh Police"},
    ("registration", "PATCH", "/agencies/{agency_id}"): {"active": True},
    ("registration", "POST", "/participants/imports"): {"officers": [PROFILE]},
    ("registration", "POST", "/enrollments"): {"participant_id": "p1", "session_id": "s1"},
    ("registration", "POST", "/sessions/{session_id}/enrollments"): {"participant_ids": ["p1"]},
    ("registration", "POST", "/series/{series_id}/cohort"): {"participant_id": "p1"},
    ("registration", "POST", "/series/{series_id}/cohort/from-session"): {
        "session_id": "s1", "include": "attendees"},
    ("sessions", "POST", "/programmes"): {
        "name": "GLO.ACT", "description": "Asia", "donors": ["EU"], "countries": ["Pakistan"],
        "period": {"starts_on": "2018-01-01", "ends_on": "2022-12-31"}},
    ("sessions", "POST", "/series"): {
        "programme_id": "g1", "title": "Coaching", "planned_sessions": 3,
        "origin_session_id": "w1",
        "eligibility": {"genders": ["female"], "agencies": ["Punjab Police"]}},
    ("sessions", "POST", "/sessions"): {
        "kind": "coaching_session", "title": "Coaching", "topics": ["TIP"],
        "format": "classroom", "timezone": "Asia/Karachi", "capacity": 24, "languages": ["en"],
        "programme_id": "g1", "series_id": "c1", "draft": True, **WHEN, **PLACE},
    ("sessions", "POST", "/series/{series_id}/sessions"): {"sessions": [{
        "kind": "coaching_session", "title": "Coaching", "topics": ["TIP"],
        "format": "classroom", "timezone": "Asia/Karachi", "capacity": 24, "languages": ["en"],
        "draft": True, **WHEN, **PLACE}]},
    ("sessions", "POST", "/sessions/{session_id}/reschedule"): {
        "timezone": "Asia/Karachi", **WHEN, **PLACE},
    ("sessions", "PUT", "/sessions/{session_id}/capacity"): {"capacity": 2},
    ("sessions", "POST", "/sessions/{session_id}/cancel"): {"reason": "Eid holidays"},
    ("sessions", "POST", "/facilitators"): {
        "given_name": "Rukhsana", "family_name": "Zehri", "organisation": "UNODC",
        "expertise": ["TIP"], "email": "r@example.org", "phone": "+923001234567",
        "preferred_language": "en"},
    ("sessions", "PUT", "/sessions/{session_id}/facilitators/{facilitator_id}"): {
        "role": "trainer"},
    ("sessions", "POST", "/sessions/{session_id}/attendance/{day}"): {
        "marks": [{"participant_id": "p1", "status": "present"}]},
    ("sessions", "PUT", "/sessions/{session_id}/attendance/{day}/{participant_id}"): {
        "status": "present"},
    ("sessions", "PUT", "/sessions/{session_id}/feedback/{participant_id}"): {
        "rating": 5, "comments": "Useful", "consent_to_quote": False},
    ("sessions", "POST", "/certificates"): {
        "session_id": "s1", "participant_id": "p1", "reason": "Attended the make-up day"},
    ("sessions", "POST", "/certificates/{code}/revocation"): {"reason": "Recorded in error"},
    ("sessions", "PUT", "/series/{series_id}/certificate-rule"): {
        "min_attendance_share": 0.8, "require_first_days": True},
    **{(service, "POST", "/admin/dead-letters/replay"): {"topic": "sessions.events"}
       for service in ("registration", "sessions", "notifications")},
    ("notifications", "PUT", "/recipients/{recipient_id}/preferences"): {
        "reminders": {"email": True, "sms": False}},
}
SPOILERS = ("\ud800", "a\x00b")


def _resolve(schema: dict, components: dict) -> dict:
    if "$ref" in schema:
        return _resolve(components[schema["$ref"].rsplit("/", 1)[1]], components)
    for combined in ("allOf", "anyOf", "oneOf"):
        if combined in schema:
            return _resolve(schema[combined][0], components)
    return schema


def _string_paths(schema: dict, body, components: dict, prefix=()):
    """Paths to every string of the body where the document declares a string."""
    schema = _resolve(schema, components)
    if schema.get("type") == "string":
        yield prefix
    elif schema.get("type") == "array" and body:
        yield from _string_paths(schema["items"], body[0], components, (*prefix, 0))
    elif isinstance(body, dict):
        for name, sub in schema.get("properties", {}).items():
            if body.get(name) is not None:
                yield from _string_paths(sub, body[name], components, (*prefix, name))


def _spoiled(body: dict, path: tuple, text: str) -> dict:
    spoiled = copy.deepcopy(body)
    holder = spoiled
    for key in path[:-1]:
        holder = holder[key]
    holder[path[-1]] = text
    return spoiled


def _named(errors: dict, path: tuple) -> list | None:
    found = errors
    for key in path:
        found = found.get(str(key)) if isinstance(found, dict) else None
        if found is None:
            return None
    return found


def _write_operations(openapi):
    for service, document in sorted(openapi.items()):
        components = document.get("components", {}).get("schemas", {})
        for template, item in document["paths"].items():
            for method, operation in item.items():
                if method in HTTP_METHODS and "requestBody" in operation:
                    schema = operation["requestBody"]["content"]["application/json"]["schema"]
                    yield service, method.upper(), template, schema, components


def test_a_surrogate_or_nul_in_any_string_of_any_write_is_a_422_naming_it(
        stack, tokens, openapi, world, mongo_uri):
    values = _path_values(world, stack, tokens)
    before = _stored(mongo_uri, stack)
    wrong, sent, unlisted = [], 0, []
    for service, method, template, schema, components in _write_operations(openapi):
        body = VALID_BODIES.get((service, method, template))
        if body is None:
            unlisted.append(f"{service} {method} {template}")
            continue
        url = stack.urls[service] + _fill(template, values)
        for path in _string_paths(schema, body, components):
            for spoiler in SPOILERS:
                spoiled = _spoiled(body, path, spoiler)
                if template.startswith("/participants") and path != ("email",):
                    # Unique, so only the spoiled field could be refused.
                    spoiled["email"] = f"text.{uuid.uuid4().hex[:8]}@example.org"
                answer = requests.request(method, url, json=spoiled, headers=tokens("admin"),
                                          timeout=10)
                sent += 1
                errors = answer.json().get("errors", {}).get("json", {}) \
                    if answer.status_code == 422 else {}
                if not _named(errors, path):
                    wrong.append(f"{method} {template} {path} {spoiler!r}: "
                                 f"{answer.status_code} {answer.text[:200]}")
    assert unlisted == []
    assert wrong == []
    assert sent > 100
    assert _stored(mongo_uri, stack) == before


def test_a_control_character_in_any_query_string_is_a_422_naming_it(stack, tokens, openapi):
    wrong = []
    for service, document in sorted(openapi.items()):
        for template, item in document["paths"].items():
            get = item.get("get", {})
            if "{" in template:
                continue
            for parameter in get.get("parameters", []):
                if parameter["in"] != "query" or parameter["schema"].get("type") != "string":
                    continue
                name = parameter["name"]
                answer = requests.get(f"{stack.urls[service]}{template}",
                                      params={name: "x\x00y"}, headers=tokens("admin"),
                                      timeout=10)
                if answer.status_code != 422 or name not in answer.json()["errors"]["query"]:
                    wrong.append(f"{service} {template}?{name}: {answer.status_code}")
    assert wrong == []
