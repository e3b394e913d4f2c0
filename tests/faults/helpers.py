"""What the fault tests share: tokens, officers, sessions published as sessions would, the sink."""

import email
import os
import subprocess
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from common.auth import mint
from common.config import load
from common.envelope import new_event
from common.producer import EventProducer
from devstack import services


def coordinator() -> dict:
    settings = load("faults")
    token = mint(settings.jwt_secret, "faults", ["coordinator"], 900, settings.jwt_audience,
                 settings.jwt_issuer)
    return {"Authorization": f"Bearer {token}"}


def officer(email_address: str) -> dict:
    return {"given_name": "Nadia", "family_name": "Butt", "gender": "female",
            "agency": "Punjab Police", "email": email_address,
            "consent": {"policy_version": "2021-01", "given_at": "2021-03-01T09:00:00Z"}}


def register_officers(registration: str, emails: list[str]) -> dict[str, str]:
    """Register each officer over HTTP; returns participant id -> email."""
    def one(address: str) -> tuple[str, str]:
        created = requests.post(f"{registration}/participants", json=officer(address),
                                headers=coordinator(), timeout=30)
        assert created.status_code == 201, created.text
        return created.json()["id"], address

    with ThreadPoolExecutor(max_workers=6) as pool:
        return dict(pool.map(one, emails))


def scheduled(session_id: str, title: str, capacity: int) -> dict:
    """A `sessions.session.scheduled` payload as docs/events.md gives it."""
    return {"session_id": session_id, "series_id": None, "position": None,
            "planned_sessions": None, "kind": "training_workshop", "title": title,
            "starts_at": "2030-03-25T04:00:00Z", "ends_at": "2030-03-26T12:00:00Z",
            "timezone": "Asia/Karachi", "capacity": capacity, "venue": "Serena",
            "city": "Islamabad", "country": "Pakistan", "languages": ["en"]}


def publish(bootstrap: str, topic: str, producer_service: str, events: list[tuple]) -> list:
    """Publish (type, subject, data) as ``producer_service`` would; returns the events."""
    producer = EventProducer(bootstrap, client_id=f"faults-{producer_service}")
    try:
        made = [new_event(t, s, d, producer_service, str(uuid.uuid4())) for t, s, d in events]
        assert producer.publish(topic, made) == [e.id for e in made]
        return made
    finally:
        producer.close()


def inbox(sink: str, address: str) -> list[dict]:
    return requests.get(f"{sink}/messages", params={"to": address}, timeout=10).json()


def inboxes(sink: str, addresses) -> dict[str, list[dict]]:
    """Each address's messages, from one read of the sink (one read per address is slow)."""
    found: dict[str, list[dict]] = {address.lower(): [] for address in addresses}
    for message in requests.get(f"{sink}/messages", timeout=30).json():
        for to in message.get("to", []):
            if to.lower() in found:
                found[to.lower()].append(message)
    return {address: found[address.lower()] for address in addresses}


def message_id(sink: str, stored_id: str) -> str:
    raw = requests.get(f"{sink}/messages/{stored_id}", timeout=10).content
    return email.message_from_bytes(raw)["Message-ID"]


def start_worker(service: str, env: dict[str, str], log: Path) -> subprocess.Popen:
    """One worker process of ``service``, as devstack starts it, with ``env`` added."""
    with open(log, "ab") as out:
        return subprocess.Popen(services.worker_command(service), env={**os.environ, **env},
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                cwd=Path(__file__).resolve().parents[2])


class BrokerOutage(threading.Thread):
    """Kill the broker -9 ``after_s`` from now, start it again ``down_s`` later; the monotonic
    times `began`, `ended` (restart asked) and `back` (broker answering) are kept."""

    def __init__(self, broker, after_s: float, down_s: float):
        super().__init__(name="broker-outage")
        self.broker, self.after_s, self.down_s = broker, after_s, down_s
        self.began = self.ended = self.back = 0.0

    def run(self) -> None:
        time.sleep(self.after_s)
        self.broker.kill()
        self.began = time.monotonic()
        time.sleep(self.down_s)
        self.ended = time.monotonic()
        self.broker.start()
        self.back = time.monotonic()


def registered(stack, participant_id: str, address: str) -> tuple:
    """An officer's registration event; her contact waits at the contact-owner double."""
    stack.contacts.add(participant_id, given_name="Sana", family_name="Iqbal", email=address,
                       phone=None, preferred_language="en")
    return ("registration.participant.registered", participant_id, {
        "participant_id": participant_id, "gender": "female", "agency": "Punjab Police",
        "preferred_language": "en"})
