"""A facilitator reaches the sessions she facilitates, their roster, attendance and names only."""

import uuid

import requests

from tests.conftest import wait_for


def _post(stack, tokens, service, path, body, expect=(200, 201)):
    response = requests.post(f"{stack.urls[service]}{path}", json=body,
                             headers=tokens("coordinator"), timeout=10)
    assert response.status_code in expect, response.text
    return response.json()


def _session(stack, tokens, title):
    return _post(stack, tokens, "sessions", "/sessions", {
        "kind": "coaching_session", "title": title, "starts_at": "2033-03-25T09:00:00+05:00",
        "ends_at": "2033-03-26T17:00:00+05:00", "timezone": "Asia/Karachi", "capacity": 5})


def test_a_facilitator_reaches_only_the_sessions_she_facilitates(stack, tokens):
    tag = uuid.uuid4().hex[:6]
    facilitator = _post(stack, tokens, "sessions", "/facilitators", {
        "given_name": f"Nasreen{tag}", "family_name": "Akhtar", "organisation": "UNODC"})
    hers, other = _session(stack, tokens, f"Hers {tag}"), _session(stack, tokens, f"Other {tag}")
    requests.put(f"{stack.urls['sessions']}/sessions/{hers['id']}/facilitators/"
                 f"{facilitator['id']}", json={"role": "coach"}, headers=tokens("coordinator"),
                 timeout=10).raise_for_status()
    officer = _post(stack, tokens, "registration", "/participants", {
        "given_name": f"Sadia{tag}", "family_name": f"Rauf{tag}", "gender": "female",
        "agency": "Federal Investigation Agency", "email": f"sadia.{tag}@example.org",
        "consent": {"policy_version": "2021-01", "given_at": "2021-03-01T09:00:00+05:00"}})
    for session in (hers, other):
        wait_for(lambda s=session: requests.get(
            f"{stack.urls['registration']}/sessions/{s['id']}", headers=tokens("coordinator"),
            timeout=10).status_code == 200, timeout_s=30)
        _post(stack, tokens, "registration", "/enrollments",
              {"participant_id": officer["id"], "session_id": session["id"]})
    her = tokens("facilitator", facilitator_id=facilitator["id"])
    sessions_url, registration_url = stack.urls["sessions"], stack.urls["registration"]

    listed = requests.get(f"{sessions_url}/sessions", headers=her, timeout=10)
    assert [s["id"] for s in listed.json()] == [hers["id"]]
    for path in ("", "/roster", "/attendance"):
        assert requests.get(f"{sessions_url}/sessions/{hers['id']}{path}", headers=her,
                            timeout=10).status_code == 200
        assert requests.get(f"{sessions_url}/sessions/{other['id']}{path}", headers=her,
                            timeout=10).status_code == 403
    mark = {"marks": [{"participant_id": officer["id"], "status": "present"}]}
    assert requests.post(f"{sessions_url}/sessions/{other['id']}/attendance/2033-03-25",
                         json=mark, headers=her, timeout=10).status_code == 403
    # Hers is not under way yet: refused for that reason, not for who she is.
    assert requests.post(f"{sessions_url}/sessions/{hers['id']}/attendance/2033-03-25",
                         json=mark, headers=her, timeout=10).status_code == 409
    assert requests.get(f"{sessions_url}/sessions/{hers['id']}/quotes", headers=her,
                        timeout=10).status_code == 403
    assert requests.get(f"{sessions_url}/programmes", headers=her, timeout=10).status_code == 403

    def names(session):
        return requests.get(f"{registration_url}/sessions/{session['id']}/names", headers=her,
                            timeout=10)

    wait_for(lambda: names(hers).status_code == 200 and names(hers).json(), timeout_s=30)
    assert names(hers).json() == [{"participant_id": officer["id"], "given_name": f"Sadia{tag}",
                                   "family_name": f"Rauf{tag}",
                                   "agency": "Federal Investigation Agency"}]
    assert names(other).status_code == 403
    assert requests.get(f"{registration_url}/participants/{officer['id']}", headers=her,
                        timeout=10).status_code == 403
