"""schemathesis against each running service's OpenAPI document, with valid tokens: no 5xx, and
every answer is a documented status with a body of the documented shape (issue 7).

Three runs per service: a coordinator's valid requests aimed at the flow's real records (so the
domain code runs, not only the 404s of made-up ids), a coordinator's invalid requests, and an
admin's valid requests with made-up ids. Bounded and derandomized: the same examples every run.
"""

import re

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.security.test_injection import _path_values

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
RUNS = {  # role, generation mode, aimed at real records, examples per operation
    "coordinator-valid": ("coordinator", GenerationMode.POSITIVE, True, 8),
    "coordinator-invalid": ("coordinator", GenerationMode.NEGATIVE, True, 5),
    "admin-valid": ("admin", GenerationMode.POSITIVE, False, 3),
}


def _fuzz(operation, mode, path_values: dict, base_url: str, headers: dict,
          examples: int) -> int:
    calls = []
    declared = operation.definition.raw["responses"]
    names = re.findall(r"\{([^}]+)\}", operation.path)
    aimed = {name: path_values[name] for name in names if name in path_values}

    @settings(max_examples=examples, derandomize=True, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate, Phase.shrink],
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(mode, path_parameters=aimed or None))
    def run(case):
        calls.append(case)
        response = case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS,
                                          timeout=10)
        # status_code_conformance accepts anything under `default`; the documentation may not.
        assert str(response.status_code) in declared, (
            f"{response.status_code} is not documented; {case.as_curl_command()}")
        if mode == GenerationMode.NEGATIVE and case.meta and case.meta.generation.mode == mode:
            assert response.status_code < 500

    run()
    return len(calls)


def _has_inputs(definition: dict) -> bool:
    return bool(definition.get("parameters") or definition.get("requestBody"))


@pytest.mark.parametrize("run", sorted(RUNS))
@pytest.mark.parametrize("service", ["notifications", "registration", "sessions"])
def test_every_operation_holds_to_its_document(stack, tokens, openapi, world, service, run):
    role, mode, aimed, examples = RUNS[run]
    path_values = _path_values(world, stack, tokens) if aimed else {}
    schema = schemathesis.openapi.from_dict(openapi[service])
    failures, total, operations = [], 0, 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        if mode == GenerationMode.NEGATIVE and not _has_inputs(operation.definition.raw):
            continue  # nothing to make invalid (health)
        try:
            total += _fuzz(operation, mode, path_values, stack.urls[service], tokens(role),
                           examples)
        except (Exception, BaseExceptionGroup) as exc:  # each operation's, not only the first
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert failures == [], "\n".join(failures)
    assert operations == len([1 for item in openapi[service]["paths"].values()
                              for method in item if method != "parameters"])
    print(f"{service} {run}: {operations} operations, {total} examples")


@pytest.mark.parametrize("answer", [{"format": "csv"}, {"format": "json"}, {}])
def test_indicators_as_csv_or_json_hold_to_the_document(stack, tokens, openapi, world, answer):
    schema = schemathesis.openapi.from_dict(openapi["sessions"])
    operation = schema["/sessions/{session_id}/indicators"]["GET"]
    case = operation.Case(path_parameters={"session_id": world["session"]}, query=answer)
    response = case.call_and_validate(base_url=stack.urls["sessions"], headers=tokens("viewer"),
                                      checks=CHECKS, timeout=10)
    assert response.status_code == 200
    wanted = "text/csv" if answer.get("format") == "csv" else "application/json"
    assert response.headers["content-type"][0].startswith(wanted)
    documented = openapi["sessions"]["paths"]["/sessions/{session_id}/indicators"]["get"]
    assert wanted in documented["responses"]["200"].get("content", {})  # not left undescribed


def _resolve(schema: dict, schemas: dict) -> dict:
    while "$ref" in schema:
        schema = schemas[schema["$ref"].rsplit("/", 1)[1]]
    for combined in ("allOf", "anyOf", "oneOf"):  # nullable nested schemas come as anyOf
        options = [o for o in schema.get(combined, []) if o.get("type") != "null"
                   and not (o.get("nullable") and set(o) <= {"type", "nullable"})]
        if options:
            return _resolve(options[0], schemas)
    return schema


def _undeclared(value, schema: dict, schemas: dict, where: str = "") -> list[str]:
    """Where ``value`` holds data that ``schema`` leaves undescribed (a bare object, or a key
    it does not name), so a client cannot know it from the document."""
    schema = _resolve(schema, schemas)
    if isinstance(value, dict):
        named, others = schema.get("properties"), schema.get("additionalProperties")
        if not named and not others:
            return [f"{where or '/'}: an object whose properties are not declared"]
        found = []
        for key, item in value.items():
            if named and key in named:
                found += _undeclared(item, named[key], schemas, f"{where}/{key}")
            elif isinstance(others, dict) and others:
                found += _undeclared(item, others, schemas, f"{where}/{key}")
            else:
                found.append(f"{where}/{key}: not declared")
        return found
    if isinstance(value, list):
        return [problem for n, item in enumerate(value)
                for problem in _undeclared(item, schema.get("items", {}), schemas, f"{where}/{n}")]
    return []


@pytest.mark.parametrize("service", ["notifications", "registration", "sessions"])
def test_every_get_answers_a_body_its_document_declares_whole(stack, tokens, openapi, world,
                                                             service):
    document = openapi[service]
    schemas = document.get("components", {}).get("schemas", {})
    feed = requests.get(f"{stack.urls['notifications']}/notifications",
                        params={"recipient_id": world["participants"][1]},
                        headers=tokens("viewer"), timeout=10).json()
    values = {**_path_values(world, stack, tokens), "notification_id": feed[0]["id"]}
    checked, problems = [], []
    for operation in (r.ok() for r in schemathesis.openapi.from_dict(document)
                      .get_all_operations()):
        if operation.method.upper() != "GET":
            continue
        names = re.findall(r"\{([^}]+)\}", operation.path)
        queries = [{}] + ([{"min_cell": 5}] if operation.path.endswith("/indicators") else [])
        for query in queries:
            case = operation.Case(path_parameters={n: values[n] for n in names}, query=query)
            response = case.call_and_validate(base_url=stack.urls[service],
                                              headers=tokens("coordinator"), checks=CHECKS,
                                              timeout=10)
            if response.status_code != 200 or "json" not in response.headers.get(
                    "content-type", [""])[0]:
                continue
            checked.append(f"{operation.path} {query}")
            declared = operation.definition.raw["responses"]["200"].get("content", {}).get(
                "application/json", {}).get("schema")
            if declared is None:
                problems.append(f"GET {operation.path}: a JSON body with no schema declared")
                continue
            problems += [f"GET {operation.path} {query}: {p}"
                         for p in _undeclared(response.json(), declared, schemas)]
    assert problems == [], "\n".join(problems)
    if service == "sessions":
        assert {c.split()[0] for c in checked} >= {"/sessions/{session_id}/indicators",
                                                   "/series/{series_id}/indicators",
                                                   "/programmes/{programme_id}/indicators"}
    assert checked, f"no GET of {service} answered 200 with JSON"
