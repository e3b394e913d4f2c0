"""The broker is killed -9 while officers are being registered, then restarted.

Every request that got a 2xx leads to exactly one acknowledgement email; any other got a 503 and
wrote nothing.
"""

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests

from common.auth import mint
from common.config import load
from tests.conftest import wait_for
from tests.faults.helpers import BrokerOutage, inboxes

OFFICERS = 60


def _headers() -> dict:
    settings = load("faults")
    token = mint(settings.jwt_secret, "faults", ["coordinator"], 600, settings.jwt_audience,
                 settings.jwt_issuer)
    return {"Authorization": f"Bearer {token}"}


def _register(url: str, email: str, at: float) -> tuple[str, int, float]:
    """POST one officer at monotonic time ``at`` (requests are spread over the outage)."""
    time.sleep(max(0.0, at - time.monotonic()))
    sent = time.monotonic()
    body = {"given_name": "Nadia", "family_name": "Butt", "gender": "female",
            "agency": "Punjab Police", "email": email,
            "consent": {"policy_version": "2021-01", "given_at": "2021-03-01T09:00:00Z"}}
    try:
        response = requests.post(f"{url}/participants", json=body, headers=_headers(),
                                 timeout=30)
        return email, response.status_code, sent
    except requests.RequestException:
        return email, 0, sent


def _emails_to(sink: str, addresses: list[str]) -> dict[str, int]:
    return {address: len(found) for address, found in inboxes(sink, addresses).items()}


def test_broker_killed_mid_registration_loses_and_doubles_nothing(stack_on_private_broker,
                                                                 smtp_inbox):
    stack, broker = stack_on_private_broker
    tag = uuid.uuid4().hex[:6]
    emails = [f"officer{n}.{tag}@example.org" for n in range(OFFICERS)]
    saboteur = BrokerOutage(broker, after_s=2, down_s=6)
    start = time.monotonic()
    saboteur.start()
    with ThreadPoolExecutor(max_workers=4) as pool:  # one officer every 0.2 s for 12 s
        results = list(pool.map(lambda n: _register(stack.urls["registration"], emails[n],
                                                    start + 0.2 * n), range(OFFICERS)))
    saboteur.join()

    accepted = [email for email, status, _ in results if status == 201]
    refused = [email for email, status, _ in results if status != 201]
    during = [email for email, status, sent in results
              if status == 201 and saboteur.began <= sent <= saboteur.ended]
    assert all(status in (201, 503) for _, status, _ in results), results
    assert during, "no request was accepted while the broker was down"

    print(f"broker killed -9 mid-run: {len(accepted)} accepted (201), {len(during)} of them "
          f"while it was down, {len(refused)} refused")
    began = time.monotonic()
    wait_for(lambda: all(_emails_to(smtp_inbox, accepted).values()), timeout_s=120,
             interval_s=1)
    print(f"every accepted officer's email arrived {time.monotonic() - began:.0f}s later")
    time.sleep(3)  # a late duplicate would arrive within the relay's next sweeps
    assert _emails_to(smtp_inbox, accepted) == {e: 1 for e in accepted}
    assert not any(_emails_to(smtp_inbox, refused).values())
