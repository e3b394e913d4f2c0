"""A participant registered over HTTP reaches notifications over the real broker."""

import uuid

import requests

from tests.conftest import wait_for


def _profile(tag):
    return {"given_name": "Sana", "family_name": "Iqbal", "gender": "female",
            "agency": "Punjab Police", "email": f"sana.{tag}@example.org",
            "preferred_language": "en",
            "consent": {"policy_version": "2021-01", "given_at": "2021-03-01T09:00:00+05:00"}}


def test_participant_posted_shows_up_in_notifications_with_its_correlation_id(stack, tokens):
    tag = uuid.uuid4().hex[:8]
    request_id = f"e2e-{tag}"
    created = requests.post(f"{stack.urls['registration']}/participants", json=_profile(tag),
                            headers={**tokens("coordinator"), "X-Request-ID": request_id},
                            timeout=10)
    assert created.status_code == 201, created.text
    assert created.headers["X-Request-ID"] == request_id
    participant_id = created.json()["id"]

    def acknowledgement():
        found = requests.get(f"{stack.urls['notifications']}/notifications",
                             params={"recipient_id": participant_id},
                             headers=tokens("viewer"), timeout=10)
        assert found.status_code == 200
        return found.json()

    # The worker's sender emails the acknowledgement: wait until nothing is left unsent.
    notices = wait_for(lambda: (found := acknowledgement())
                       and all(n["status"] in ("sent", "failed", "skipped") for n in found)
                       and found, timeout_s=90)
    assert [(n["kind"], n["status"]) for n in notices] == [("registration_acknowledged",
                                                            "sent")]
    assert notices[0]["correlationid"] == request_id

    recipient = requests.get(f"{stack.urls['notifications']}/recipients/{participant_id}",
                             headers=tokens("coordinator"), timeout=10).json()
    assert recipient["email"] == f"sana.{tag}@example.org"

    worker_log = stack.log_dir / "notifications-worker.log"
    wait_for(lambda: request_id in worker_log.read_text(), timeout_s=10)
    consumed = [line for line in worker_log.read_text().splitlines() if request_id in line]
    assert any('"event consumed"' in line for line in consumed)


def test_every_service_is_ready_and_documents_itself(stack):
    for url in stack.urls.values():
        assert requests.get(f"{url}/health/live", timeout=5).json() == {"status": "ok"}
        assert requests.get(f"{url}/health/ready", timeout=5).status_code == 200
        spec = requests.get(f"{url}/openapi.json", timeout=5).json()
        assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
        assert requests.get(f"{url}/docs", timeout=5).status_code == 200
