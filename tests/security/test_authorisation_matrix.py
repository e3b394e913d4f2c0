"""Every documented endpoint x every role gets exactly the documented answer (issue 7).

The table below is the specification, written from each view's docstring; the test checks it
against the running services and checks that it names every operation of their OpenAPI documents,
so an endpoint added without a row fails here.
"""

import re

import pytest
import requests

ROLES = ("none", "viewer", "service", "facilitator", "coordinator", "admin")
OPEN = "open"
ANY = ("coordinator", "viewer", "service")
COORDINATOR = ("coordinator",)
READERS = ("coordinator", "service")
SERVICE = ("service",)  # contact details, for the notifications service alone
# A facilitator passes the role gate here; which sessions she reaches is
# test_a_facilitator_reaches_only_the_sessions_she_facilitates's business.
FACILITATING = ("coordinator", "facilitator")
SESSION_READERS = ("coordinator", "service", "facilitator")
ADMIN = ()  # admin holds every role; nobody else
DEAD_LETTERS = {("GET", "/admin/dead-letters"): ADMIN,
                ("POST", "/admin/dead-letters/replay"): ADMIN}

# Ids that look right but name nothing, so an allowed caller is answered 404/422 and
# nothing is written.
MISSING_ID = "00000000-0000-4000-8000-000000000000"

MATRIX = {
    "registration": {
        **DEAD_LETTERS,
        ("GET", "/health/live"): OPEN,
        ("GET", "/health/ready"): OPEN,
        ("GET", "/agencies"): ANY,
        ("POST", "/agencies"): COORDINATOR,
        ("PATCH", "/agencies/{agency_id}"): COORDINATOR,
        ("GET", "/participants"): ANY,
        ("POST", "/participants"): COORDINATOR,
        ("POST", "/participants/imports"): COORDINATOR,
        ("GET", "/participants/{participant_id}"): ANY,
        ("PATCH", "/participants/{participant_id}"): COORDINATOR,
        ("GET", "/participants/{participant_id}/export"): COORDINATOR,
        ("GET", "/participants/{participant_id}/contact"): SERVICE,
        ("POST", "/participants/{participant_id}/erasure"): COORDINATOR,
        ("GET", "/enrollments"): ANY,
        ("POST", "/enrollments"): COORDINATOR,
        ("GET", "/enrollments/{enrollment_id}"): ANY,
        ("POST", "/enrollments/{enrollment_id}/withdrawal"): COORDINATOR,
        ("GET", "/sessions/{session_id}"): ANY,
        ("GET", "/sessions/{session_id}/names"): FACILITATING,
        ("POST", "/sessions/{session_id}/enrollments"): COORDINATOR,
        ("GET", "/series/{series_id}"): ANY,
        ("POST", "/series/{series_id}/cohort"): COORDINATOR,
        ("POST", "/series/{series_id}/cohort/from-session"): COORDINATOR,
    },
    "sessions": {
        **DEAD_LETTERS,
        ("GET", "/health/live"): OPEN,
        ("GET", "/health/ready"): OPEN,
        ("GET", "/programmes"): ANY,
        ("POST", "/programmes"): COORDINATOR,
        ("GET", "/programmes/{programme_id}"): ANY,
        ("GET", "/programmes/{programme_id}/indicators"): ANY,
        ("GET", "/series"): ANY,
        ("POST", "/series"): COORDINATOR,
        ("GET", "/series/{series_id}"): ANY,
        ("POST", "/series/{series_id}/sessions"): COORDINATOR,
        ("GET", "/series/{series_id}/indicators"): ANY,
        ("GET", "/sessions"): SESSION_READERS,
        ("POST", "/sessions"): COORDINATOR,
        ("GET", "/sessions/{session_id}"): SESSION_READERS,
        ("GET", "/sessions/{session_id}/indicators"): ANY,
        ("POST", "/sessions/{session_id}/schedule"): COORDINATOR,
        ("POST", "/sessions/{session_id}/reschedule"): COORDINATOR,
        ("PUT", "/sessions/{session_id}/capacity"): COORDINATOR,
        ("POST", "/sessions/{session_id}/start"): COORDINATOR,
        ("POST", "/sessions/{session_id}/complete"): COORDINATOR,
        ("POST", "/sessions/{session_id}/cancel"): COORDINATOR,
        ("GET", "/sessions/{session_id}/roster"): FACILITATING,
        ("GET", "/sessions/{session_id}/attendance"): FACILITATING,
        ("POST", "/sessions/{session_id}/attendance/{day}"): FACILITATING,
        ("PUT", "/sessions/{session_id}/attendance/{day}/{participant_id}"): FACILITATING,
        ("PUT", "/sessions/{session_id}/feedback/{participant_id}"): FACILITATING,
        ("GET", "/sessions/{session_id}/quotes"): COORDINATOR,
        ("GET", "/facilitators"): COORDINATOR,
        ("POST", "/facilitators"): COORDINATOR,
        ("GET", "/facilitators/{facilitator_id}"): COORDINATOR,
        ("GET", "/facilitators/{facilitator_id}/contact"): SERVICE,
        ("PUT", "/sessions/{session_id}/facilitators/{facilitator_id}"): COORDINATOR,
        ("DELETE", "/sessions/{session_id}/facilitators/{facilitator_id}"): COORDINATOR,
        ("GET", "/certificates/{code}"): OPEN,
        ("GET", "/certificates"): COORDINATOR,
        ("POST", "/certificates"): COORDINATOR,
        ("POST", "/certificates/{code}/revocation"): COORDINATOR,
        ("PUT", "/series/{series_id}/certificate-rule"): COORDINATOR,
        ("GET", "/programmes/{programme_id}/report"): ("coordinator", "viewer"),
        ("GET", "/series/{series_id}/report"): ("coordinator", "viewer"),
    },
    "notifications": {
        **DEAD_LETTERS,
        ("GET", "/health/live"): OPEN,
        ("GET", "/health/ready"): OPEN,
        ("GET", "/notifications"): ANY,
        ("GET", "/notifications/summary"): ANY,
        ("GET", "/notifications/{notification_id}"): ANY,
        ("POST", "/notifications/{notification_id}/resend"): COORDINATOR,
        ("GET", "/recipients/{recipient_id}"): COORDINATOR,
        ("GET", "/recipients/{recipient_id}/preferences"): COORDINATOR,
        ("PUT", "/recipients/{recipient_id}/preferences"): COORDINATOR,
        ("GET", "/templates/{kind}/preview"): COORDINATOR,
    },
}

# Served by every service but not operations of its OpenAPI document.
BESIDE_OPENAPI = {("GET", "/openapi.json"): OPEN, ("GET", "/docs"): OPEN,
                  ("GET", "/asyncapi.json"): OPEN, ("GET", "/metrics"): ("service",)}

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


def _operations(document: dict) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in document["paths"].items()
            for method in item if method in HTTP_METHODS}


def _expected(allowed, role: str) -> str:
    if allowed == OPEN:
        return "open"
    if role == "none":
        return "401"
    return "allowed" if role == "admin" or role in allowed else "403"


def _seen(status: int) -> str:
    return {401: "401", 403: "403"}.get(status, "allowed" if status < 500 else f"{status}")


def _declared(document: dict, method: str, template: str, status: int) -> bool:
    """The status is one the operation documents itself, not one left to `default`."""
    return str(status) in document["paths"][template][method.lower()]["responses"]


@pytest.mark.parametrize("service", sorted(MATRIX))
def test_the_matrix_names_every_documented_operation(openapi, service):
    assert _operations(openapi[service]) == set(MATRIX[service])


@pytest.mark.parametrize("service", sorted(MATRIX))
def test_every_operation_answers_every_role_as_documented(stack, tokens, openapi, service):
    base = stack.urls[service]
    rows = {**MATRIX[service], **BESIDE_OPENAPI}
    wrong = []
    for (method, template), allowed in sorted(rows.items()):
        path = re.sub(r"\{[^}]+\}", MISSING_ID, template)
        for role in ROLES:
            headers = {} if role == "none" else tokens(role)
            body = {} if method in {"POST", "PUT", "PATCH"} else None
            response = requests.request(method, f"{base}{path}", headers=headers, json=body,
                                        timeout=10)
            expected, seen = _expected(allowed, role), _seen(response.status_code)
            if expected == "open":
                ok = response.status_code == 200
            else:
                ok = seen == expected
            if ok and seen == "allowed" and method != "GET":
                ok = 400 <= response.status_code < 500  # names nothing: nothing written
            if ok and seen in {"401", "403"}:
                ok = response.headers["Content-Type"].startswith("application/json") and \
                    response.json()["code"] == response.status_code
            if ok and seen == "401":
                ok = response.headers.get("WWW-Authenticate", "").startswith("Bearer")
            if ok and (method, template) in MATRIX[service]:
                ok = _declared(openapi[service], method, template, response.status_code)
            if not ok:
                wrong.append(f"{method} {template} as {role}: expected {expected}, "
                             f"got {response.status_code} {response.text[:120]}")
    assert wrong == []
