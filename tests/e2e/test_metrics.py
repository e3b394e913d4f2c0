"""Each service's /metrics adds up its API workers and its worker process."""

import re
import uuid

import requests

from tests.conftest import wait_for


def _value(text: str, name: str, **labels) -> float:
    """Sum of the samples of ``name`` whose labels include ``labels``."""
    total = 0.0
    for line in text.splitlines():
        match = re.match(rf"^{name}{{(.*)}} (\S+)$", line)
        if match and all(f'{k}="{v}"' in match.group(1) for k, v in labels.items()):
            total += float(match.group(2))
    return total


def _metrics(url, tokens):
    response = requests.get(f"{url}/metrics", headers=tokens("service"), timeout=10)
    assert response.status_code == 200
    return response.text


def test_metrics_count_requests_published_and_consumed_events(stack, tokens):
    tag = uuid.uuid4().hex[:8]
    profile = {"given_name": "Hina", "family_name": "Shah", "gender": "female",
               "agency": "Punjab Police", "email": f"hina.{tag}@example.org",
               "consent": {"policy_version": "2021-01", "given_at": "2021-03-01T09:00:00Z"}}
    before = _metrics(stack.urls["registration"], tokens)
    created = requests.post(f"{stack.urls['registration']}/participants", json=profile,
                            headers=tokens("coordinator"), timeout=10)
    assert created.status_code == 201

    after = _metrics(stack.urls["registration"], tokens)
    assert (_value(after, "http_requests_total", route="/participants", status="201")
            == _value(before, "http_requests_total", route="/participants", status="201") + 1)
    wait_for(lambda: _value(_metrics(stack.urls["registration"], tokens),
                            "events_published_total",
                            type="registration.participant.registered") >= 1)
    wait_for(lambda: _value(_metrics(stack.urls["notifications"], tokens),
                            "events_consumed_total", type="registration.participant.registered",
                            outcome="handled") >= 1)
    assert "outbox_backlog" in after


def test_metrics_need_a_service_token(stack, tokens):
    url = stack.urls["sessions"]
    assert requests.get(f"{url}/metrics", timeout=10).status_code == 401
    assert requests.get(f"{url}/metrics", headers=tokens("viewer"), timeout=10).status_code == 403


def test_each_service_serves_the_asyncapi_of_the_topic_it_publishes(stack):
    for service, url in stack.urls.items():
        document = requests.get(f"{url}/asyncapi.json", timeout=10).json()
        assert set(document["channels"]) == {f"{service}.events", f"{service}.events.dlq"}
        assert all(m["name"].startswith(f"{service}.")
                   for m in document["components"]["messages"].values())
