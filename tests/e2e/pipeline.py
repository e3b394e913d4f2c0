"""The real pipeline driven the way a coordinator drives it: sessions and registration over HTTP,
notifications' emails read back from the SMTP sink with their `X-Notification-Kind` header."""

import email
import uuid
from datetime import UTC, datetime, timedelta
from email.policy import default as default_policy

import requests

from common.backlog import consumer_lag
from tests.conftest import wait_for


class Pipeline:
    def __init__(self, stack, tokens, inbox_url: str, kafka_bootstrap: str):
        self.stack, self.inbox_url, self.bootstrap = stack, inbox_url, kafka_bootstrap
        self.headers = tokens("coordinator")
        self.tag = uuid.uuid4().hex[:8]
        self.count = 0

    def call(self, service: str, method: str, path: str, expect=(200, 201), **kwargs):
        response = requests.request(method, f"{self.stack.urls[service]}{path}",
                                    headers=self.headers, timeout=15, **kwargs)
        assert response.status_code in expect, f"{method} {path}: {response.text}"
        return response.json() if response.content else None

    def programme(self) -> str:
        return self.call("sessions", "POST", "/programmes", json={
            "name": f"Kinds {self.tag}", "donors": ["European Union"], "countries": ["Pakistan"],
            "period": {"starts_on": "2020-01-01", "ends_on": "2031-12-31"}})["id"]

    def session(self, starts_at: datetime, capacity: int = 24, **details) -> str:
        """A scheduled session, once registration knows it (enrollments need that)."""
        created = self.call("sessions", "POST", "/sessions", json={
            "kind": "coaching_session", "title": f"Coaching {self.tag}", "capacity": capacity,
            "timezone": "Asia/Karachi", "city": "Islamabad", "country": "Pakistan",
            "starts_at": starts_at.isoformat(),
            "ends_at": (starts_at + timedelta(hours=8)).isoformat(), **details})
        wait_for(lambda: self.call("registration", "GET", f"/sessions/{created['id']}",
                                   expect=(200, 404)).get("id"), timeout_s=60)
        return created["id"]

    def officer(self) -> tuple[str, str]:
        """A registered officer: (participant id, email address)."""
        self.count += 1
        address = f"kinds.{self.tag}.{self.count}@example.org"
        created = self.call("registration", "POST", "/participants", json={
            "given_name": "Sana", "family_name": "Iqbal", "gender": "female",
            "agency": "Federal Investigation Agency", "email": address,
            "preferred_language": "en",
            "consent": {"policy_version": "2021-01", "given_at": "2021-03-01T09:00:00+05:00"}})
        return created["id"], address

    def facilitator(self) -> tuple[str, str]:
        self.count += 1
        address = f"kinds.{self.tag}.{self.count}@example.org"
        created = self.call("sessions", "POST", "/facilitators", json={
            "given_name": "Marta", "family_name": "Reyes", "organisation": "UNODC",
            "email": address})
        return created["id"], address

    def enroll(self, participant_id: str, session_id: str) -> dict:
        return self.call("registration", "POST", "/enrollments",
                         json={"participant_id": participant_id, "session_id": session_id})

    def mail(self, address: str) -> list[email.message.EmailMessage]:
        """What the SMTP sink received for ``address``, parsed."""
        found = requests.get(f"{self.inbox_url}/messages", params={"to": address},
                             timeout=10).json()
        return [email.message_from_string(
            requests.get(f"{self.inbox_url}/messages/{m['id']}", timeout=10).text,
            policy=default_policy) for m in found]

    def kinds(self, address: str) -> list[str]:
        return sorted(str(m["X-Notification-Kind"]) for m in self.mail(address))

    def received(self, address: str, kind: str, timeout_s: float = 90) -> list:
        """Wait until ``address`` got a message of ``kind``; return those messages."""
        return wait_for(lambda: [m for m in self.mail(address)
                                 if m["X-Notification-Kind"] == kind], timeout_s=timeout_s)

    def notifications_caught_up(self) -> None:
        """Wait until the notifications worker consumed everything published so far."""
        prefix = self.stack.topic_prefix
        group = f"{prefix.rstrip('.')}.notifications"
        topics = [f"{prefix}registration.events", f"{prefix}sessions.events"]
        wait_for(lambda: not any(consumer_lag(self.bootstrap, group, topics).values()),
                 timeout_s=60, interval_s=0.5)

    def all_sent(self, session_id: str) -> None:
        """Wait until nothing recorded for the session is still waiting to be sent."""
        def settled():
            found = self.call("notifications", "GET", "/notifications",
                              params={"session_id": session_id, "page_size": 100})
            return all(n["status"] not in ("pending", "sending") for n in found)
        wait_for(settled, timeout_s=90, interval_s=0.5)


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
