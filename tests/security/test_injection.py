"""MongoDB operator injection in bodies, query strings and paths is refused and writes nothing.

Every write operation of the three OpenAPI documents gets, in each property of its body, values
that would be query operators if they reached a filter or an update, and keys a document store
would read as operators or dotted paths. Path ids name the flow's real records, so a refusal is the
validation's doing, not a 404, and the stored documents are compared before and after.
"""

import json
import re

import pytest
import requests

from common.mongo import client
from tests.security.test_authorisation_matrix import HTTP_METHODS, MISSING_ID

OPERATOR_VALUES = [{"$gt": ""}, {"$ne": None}, {"$where": "sleep(10000) || true"},
                   {"$regex": ".*"}, {"$in": ["x"]}]
HOSTILE_KEYS = ["$where", "$set", "consent.policy_version", "reminders.email", "$gt", "a.$b",
                "__proto__"]
# Bookkeeping that legitimately moves while the stack is idle (e.g. the relay's markers).
BOOKKEEPING = {"processed_events", "outbox_published", "outbox_relay_due", "outbox_processes",
               "outbox_acknowledged", "idempotency_keys"}
# Marks kept beside business documents, moved by a worker in its own time (registration's
# enrollment sweep notes up to which change it verified, 20 s after the world's enrollments).
MARKS = {"seat_log_changes": {"swept"}}
# The relay empties a quiet document's outbox in its own time: not a business write.
RELAYED = {"outbox": 0, "outbox_pending": 0}


def _path_values(world, stack, tokens) -> dict:
    agencies = requests.get(f"{stack.urls['registration']}/agencies",
                            headers=tokens("viewer"), timeout=10).json()
    return {"participant_id": world["participants"][1], "recipient_id": world["participants"][1],
            "session_id": world["session"], "series_id": world["series"],
            "programme_id": world["programme"], "facilitator_id": world["facilitator"],
            "enrollment_id": world["enrollments"][1], "agency_id": agencies[0]["id"],
            "day": "2032-05-10", "kind": "session_reminder",
            "code": "ABCD-EFGH-JK"}  # a certificate code nobody holds: answered "unknown"


def _fill(template: str, values: dict) -> str:
    return re.sub(r"\{([^}]+)\}", lambda m: values.get(m.group(1), MISSING_ID), template)


def _writes_with_bodies(document: dict):
    """(method, path, property names) of each operation taking a JSON body."""
    schemas = document.get("components", {}).get("schemas", {})
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in HTTP_METHODS or "requestBody" not in operation:
                continue
            schema = operation["requestBody"]["content"]["application/json"]["schema"]
            if "$ref" in schema:
                schema = schemas[schema["$ref"].rsplit("/", 1)[1]]
            yield method.upper(), path, sorted(schema.get("properties", {}))


def _stored(mongo_uri, stack) -> dict:
    mongo = client(mongo_uri)
    prefix = f"{stack.topic_prefix.rstrip('.')}_"
    return {f"{name}.{c}": sorted(json.dumps(d, default=str, sort_keys=True)
                                  for d in mongo[name][c].find({}, RELAYED)
                                  if d["_id"] not in MARKS.get(c, ()))
            for name in mongo.list_database_names() if name.startswith(prefix)
            for c in mongo[name].list_collection_names() if c not in BOOKKEEPING}


def test_operators_and_hostile_keys_in_every_write_body_are_refused_and_write_nothing(
        stack, tokens, openapi, world, mongo_uri):
    values = _path_values(world, stack, tokens)
    before = _stored(mongo_uri, stack)
    wrong, sent = [], 0
    for service, document in sorted(openapi.items()):
        for method, template, properties in _writes_with_bodies(document):
            url = stack.urls[service] + _fill(template, values)
            bodies = [{prop: value} for prop in properties for value in OPERATOR_VALUES]
            bodies += [{key: "x"} for key in HOSTILE_KEYS]
            bodies += [{key: {"$ne": None}} for key in HOSTILE_KEYS]
            for body in bodies:
                response = requests.request(method, url, json=body, headers=tokens("admin"),
                                            timeout=10)
                sent += 1
                if response.status_code != 422:
                    wrong.append(f"{method} {template} {body}: {response.status_code} "
                                 f"{response.text[:150]}")
    assert wrong == []
    assert sent > 300
    assert _stored(mongo_uri, stack) == before


LIST_PROBES = {  # a list, and the filter whose value must be a literal, never an operator
    ("registration", "/participants"): "agency",
    ("registration", "/enrollments"): "agency",
    ("registration", "/enrollments "): "participant_id",
    ("notifications", "/notifications"): "kind",
    ("notifications", "/notifications "): "recipient_id",
    ("sessions", "/sessions"): "programme_id",
    ("sessions", "/series"): "programme_id",
}


@pytest.mark.parametrize(("service", "path"), sorted(LIST_PROBES))
def test_an_operator_in_a_query_string_is_a_literal_that_matches_nothing(
        stack, tokens, world, service, path):
    url, field = stack.urls[service] + path.strip(), LIST_PROBES[(service, path)]
    everything = requests.get(url, headers=tokens("coordinator"), timeout=10)
    assert everything.status_code == 200 and everything.json() != []
    for literal in ('{"$ne": 1}', '{"$gt": ""}', "$ne", '{"$where": "true"}'):
        response = requests.get(url, params={field: literal}, headers=tokens("coordinator"),
                                timeout=10)
        assert response.status_code == 200, response.text
        assert response.json() == []


def test_bracketed_operators_in_every_query_string_are_refused(stack, tokens, openapi):
    """`?agency[$ne]=x` is no field of any query: 422, never a silently ignored filter."""
    wrong = []
    for service, document in sorted(openapi.items()):
        for template, item in document["paths"].items():
            get = item.get("get", {})
            names = [p["name"] for p in get.get("parameters", []) if p["in"] == "query"]
            if "{" in template or not names:
                continue
            for name in names:
                for hostile in (f"{name}[$ne]", f"{name}[$gt]", "$where", f"{name}.$ne"):
                    response = requests.get(f"{stack.urls[service]}{template}",
                                            params={hostile: "x"}, headers=tokens("admin"),
                                            timeout=10)
                    if response.status_code != 422:
                        wrong.append(f"{service} {template}?{hostile}=x: "
                                     f"{response.status_code}")
    assert wrong == []


@pytest.mark.parametrize("hostile", ['{"$ne": null}', "$where", "..", "a.b", "%00"])
def test_an_operator_in_a_path_id_names_nothing(stack, tokens, hostile):
    for service, path in (("registration", "/participants/{}"), ("sessions", "/sessions/{}"),
                          ("notifications", "/notifications/{}")):
        response = requests.get(stack.urls[service] + path.format(requests.utils.quote(hostile)),
                                headers=tokens("admin"), timeout=10)
        assert response.status_code == 404, (service, hostile, response.text)


@pytest.mark.parametrize(("service", "path", "field"), [
    ("registration", "/enrollments", "status"), ("notifications", "/notifications", "status"),
    ("sessions", "/sessions", "status"), ("registration", "/agencies", "active")])
def test_an_operator_in_a_validated_filter_is_a_422_naming_it(stack, tokens, service, path,
                                                             field):
    response = requests.get(stack.urls[service] + path, params={field: '{"$ne": 1}'},
                            headers=tokens("coordinator"), timeout=10)
    assert response.status_code == 422
    assert field in response.json()["errors"]["query"]
