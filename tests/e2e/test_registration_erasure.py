"""Erasure across the three services: her name, email and phone leave every database, while
the sessions indicators still count her gender and agency."""

import random
import uuid

import requests

from common.mongo import client
from tests.conftest import wait_for

FIA = "Federal Investigation Agency"


def _call(stack, service, method, path, headers, **kwargs):
    response = requests.request(method, f"{stack.urls[service]}{path}", headers=headers,
                                timeout=10, **kwargs)
    assert response.status_code in (200, 201), response.text
    return response.json()


def _everything_stored(mongo_uri, stack_name) -> str:
    mongo = client(mongo_uri)
    return "\n".join(str(doc) for name in mongo.list_database_names()
                     if name.startswith(f"{stack_name}_")
                     for collection in mongo[name].list_collection_names()
                     for doc in mongo[name][collection].find({}))


def test_erased_officer_leaves_no_personal_data_but_still_counts(stack, tokens, mongo_uri):
    coordinator, viewer = tokens("coordinator"), tokens("viewer")
    tag = uuid.uuid4().hex[:8]
    personal = {"given_name": f"Zarmina{tag}", "family_name": f"Durrani{tag}",
                "email": f"zarmina.{tag}@example.org",
                "phone": "+92300" + "".join(random.choices("0123456789", k=7))}  # noqa: S311
    session = _call(stack, "sessions", "POST", "/sessions", coordinator, json={
        "kind": "coaching_session", "title": "Coaching on investigative techniques",
        "starts_at": "2031-03-25T09:00:00+05:00", "ends_at": "2031-03-26T17:00:00+05:00",
        "timezone": "Asia/Karachi", "city": "Islamabad", "country": "Pakistan",
        "capacity": 24})
    wait_for(lambda: requests.get(f"{stack.urls['registration']}/sessions/{session['id']}",
                                  headers=viewer, timeout=10).status_code == 200, timeout_s=30)
    officer = _call(stack, "registration", "POST", "/participants", coordinator, json={
        **personal, "gender": "female", "agency": FIA, "preferred_language": "en",
        "consent": {"policy_version": "2021-01", "given_at": "2021-03-01T09:00:00Z"}})
    enrolled = _call(stack, "registration", "POST", "/enrollments", coordinator,
                     json={"participant_id": officer["id"], "session_id": session["id"]})
    assert enrolled["status"] == "confirmed"

    def counted():
        shown = _call(stack, "sessions", "GET", f"/sessions/{session['id']}/indicators",
                      viewer)
        return shown if shown["enrolled"]["total"] == 1 else None

    wait_for(counted, timeout_s=30)
    wait_for(lambda: requests.get(f"{stack.urls['notifications']}/recipients/{officer['id']}",
                                  headers=coordinator, timeout=10).status_code == 200,
             timeout_s=30)
    stack_name = stack.topic_prefix.rstrip(".")
    assert personal["email"] in _everything_stored(mongo_uri, stack_name)

    _call(stack, "registration", "POST", f"/participants/{officer['id']}/erasure", coordinator)

    def scrubbed():
        stored = _everything_stored(mongo_uri, stack_name)
        return not any(value in stored for value in personal.values())

    wait_for(scrubbed, timeout_s=30)
    after = counted()
    assert after["enrolled"]["by_gender"] == {"female": 1}
    assert after["enrolled"]["by_agency"] == {FIA: 1}
