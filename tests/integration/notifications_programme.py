"""Notifications on the real database and SMTP: a programme publishing events straight into the
handlers, a clock moved by hand, the worker's sending machinery and SMTP sinks."""

import email
import os
import subprocess
import sys
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.policy import default

import pytest
import requests

from common.config import load_notification_settings
from common.dispatch import Dispatcher, ProcessedEvents
from common.envelope import Event, new_event
from common.persistence import by_id
from common.runtime import Runtime
from common.topics import REGISTRATION_EVENTS, SESSIONS_EVENTS
from services.notifications.channels.registry import build_channels
from services.notifications.handlers import build_registry
from services.notifications.indexes import ensure_indexes
from services.notifications.send_queue import SendQueue
from services.notifications.stores import notification_store as notifications
from tests.conftest import wait_for
from tests.contact_owners import FakeDirectory

# The SMTP sink that devstack started (its port moves with SMTP_HTTP_PORT).
SHARED_INBOX = os.environ.get("SMTP_HTTP_URL") or "http://127.0.0.1:1080"
KARACHI_START = datetime(2031, 7, 20, 4, 0, tzinfo=UTC)  # 09:00 in Islamabad


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


class Programme:
    """Publishes registration- and sessions-shaped events straight into the handlers."""

    def __init__(self, runtime: Runtime, clock: Clock):
        self.runtime, self.clock = runtime, clock
        self.directory = FakeDirectory()  # registration and sessions, asked for contacts
        self.registry = build_registry(runtime, load_notification_settings(), clock)
        self.dispatcher = Dispatcher(self.registry, ProcessedEvents(runtime.db["processed_events"]),
                                     max_attempts=1)

    def publish(self, topic: str, type_: str, subject: str, data: dict) -> Event:
        event = new_event(type_, subject, data, topic.split(".")[0])
        self.deliver(topic, event)
        return event

    def deliver(self, topic: str, event: Event) -> None:
        outcome = self.dispatcher.dispatch(topic, event.to_bytes())
        assert outcome.action in ("handled", "duplicate"), outcome

    def session(self, starts_at=KARACHI_START, series_id=None, **changes) -> str:
        session_id = str(uuid.uuid4())
        self.publish(SESSIONS_EVENTS, "sessions.session.scheduled", session_id, {
            "session_id": session_id, "series_id": series_id, "position": 2,
            "planned_sessions": 3, "kind": "coaching_session", "title": "Coaching 2 of 3",
            "starts_at": starts_at.isoformat(), "ends_at": (starts_at + timedelta(hours=32))
            .isoformat(), "timezone": "Asia/Karachi", "capacity": 24,
            "venue": "UNODC Country Office", "city": "Islamabad", "country": "Pakistan",
            "languages": ["en", "ur"], **changes})
        return session_id

    def participant(self, tag: str, language: str = "en") -> tuple[str, str]:
        participant_id = str(uuid.uuid4())
        address = f"officer.{tag}.{participant_id[:8]}@example.org"
        self.directory.add(participant_id, given_name="Ayesha", family_name="Khan",
                           email=address, phone=None)
        self.publish(REGISTRATION_EVENTS, "registration.participant.registered", participant_id,
                     {"participant_id": participant_id, "gender": "female",
                      "agency": "Punjab Police", "preferred_language": language})
        return participant_id, address

    def enroll(self, participant_id: str, session_id: str, series_id=None,
               type_="registration.enrollment.confirmed") -> Event:
        enrollment_id = str(uuid.uuid4())
        return self.publish(REGISTRATION_EVENTS, type_, enrollment_id, {
            "enrollment_id": enrollment_id, "participant_id": participant_id,
            "session_id": session_id, "series_id": series_id, "gender": "female",
            "agency": "Punjab Police"})

    def reschedule(self, session_id: str, previous: datetime, starts_at: datetime) -> None:
        self.publish(SESSIONS_EVENTS, "sessions.session.rescheduled", session_id, {
            "session_id": session_id, "series_id": None,
            "previous_starts_at": previous.isoformat(),
            "previous_ends_at": (previous + timedelta(hours=32)).isoformat(),
            "starts_at": starts_at.isoformat(),
            "ends_at": (starts_at + timedelta(hours=32)).isoformat(),
            "timezone": "Asia/Karachi", "venue": "Serena Hotel", "city": "Islamabad",
            "country": "Pakistan"})

    def of(self, **query) -> list[dict]:
        return list(self.runtime.db[notifications.COLLECTION].find(query, {"outbox": 0}))


@pytest.fixture
def programme(settings, make_topic, unique, monkeypatch):
    monkeypatch.setenv("NOTIFICATION_BACKOFF_SECONDS", "60")
    monkeypatch.setenv("NOTIFICATION_MAX_ATTEMPTS", "4")
    topic = make_topic(f"it.{unique}.notifications")
    runtime = Runtime(settings("notifications"), topic, indexes=ensure_indexes)
    runtime.prepare()
    built = Programme(runtime, Clock(KARACHI_START - timedelta(days=30)))
    yield built
    runtime.publisher.drain()
    runtime.producer.close()


def sender_for(programme: Programme, smtp_port: int | None = None) -> SendQueue:
    """A worker's sending machinery on the programme's clock and directory; what is due is
    looked up at once (a worker leaves what it just recorded to its own threads for a while)."""
    settings = programme.runtime.settings
    if smtp_port is not None:
        settings = replace(settings, smtp_port=smtp_port)
    config = load_notification_settings()
    return SendQueue(programme.runtime, build_channels(settings, config), config,
                     programme.clock, programme.directory, settle_s=0)


def reads_of_notifications(monkeypatch) -> list[str]:
    """The ids this process reads by `_id` (`by_id.get`) in the notifications collection from
    now on: what a worker's sweep reads."""
    read, get = [], by_id.get

    def counted(collection, doc_id, *rest):
        if collection.name == "notifications":
            read.append(doc_id)
        return get(collection, doc_id, *rest)

    monkeypatch.setattr(by_id, "get", counted)
    return read


def send_due(sending: SendQueue) -> int:
    """What the worker's loops do until nothing more is sent: offer the retries that are due,
    look up what is due, and let a sending thread's step take the queue batch by batch;
    returns how many notifications this worker held and handled."""
    handled = 0
    while True:
        sending.offer_due_retries()
        sending.look_up()
        before = handled
        while (sent := sending.send_queued(timeout_s=0)):
            handled += sent
        if handled == before:
            return handled


def inbox(base: str, address: str) -> list[dict]:
    messages = requests.get(f"{base}/messages", params={"to": address}, timeout=5).json()
    # A long Subject is folded right after "Subject:"; the sink keeps the folding whitespace.
    return [{**m, "subject": m["subject"].strip()} for m in messages]


def raw_message(base: str, message_id: str) -> email.message.EmailMessage:
    raw = requests.get(f"{base}/messages/{message_id}", timeout=5).content
    return email.message_from_bytes(raw, policy=default)


def _free_port() -> int:
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def own_sink(tmp_path):
    """An SMTP sink of this test's own, on free ports, that the test may stop and start."""
    smtp_port, http_port = _free_port(), _free_port()
    processes: list[subprocess.Popen] = []

    def start() -> None:
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "devstack.infra.smtp_sink", "--port", str(smtp_port),
             "--http-port", str(http_port), "--maildir", str(tmp_path / "mail")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_for(lambda: _answers(f"http://127.0.0.1:{http_port}/health"), timeout_s=15)

    def stop() -> None:
        for process in processes:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=10)

    yield {"smtp_port": smtp_port, "inbox": f"http://127.0.0.1:{http_port}", "start": start,
           "stop": stop}
    stop()


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=1).ok
    except requests.RequestException:
        return False
