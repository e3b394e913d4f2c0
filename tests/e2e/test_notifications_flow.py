"""Notifications in the running system: events on the stack's topics become real emails."""

import os
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests

from common.envelope import new_event
from common.producer import EventProducer
from common.sealing import seal
from tests.conftest import wait_for

INBOX = os.environ.get("SMTP_HTTP_URL") or "http://127.0.0.1:1080"  # the shared sink


def _inbox(address: str) -> list[dict]:
    found = requests.get(f"{INBOX}/messages", params={"to": address}, timeout=5).json()
    return [{**m, "subject": m["subject"].strip()} for m in found]


@pytest.fixture
def publish(stack_topics, kafka_bootstrap):
    producer = EventProducer(kafka_bootstrap, client_id="e2e-notifications")

    def send(service: str, type_: str, subject: str, data: dict) -> None:
        event = new_event(type_, subject, data, service)
        assert producer.publish(stack_topics[service], [event]) == [event.id]

    yield send
    producer.close()


def test_reschedule_reaches_every_enrolled_officer_in_her_language_with_moved_reminders(
        stack, tokens, publish):
    session_id = str(uuid.uuid4())
    starts = (datetime.now(UTC) + timedelta(days=30)).replace(hour=4, minute=0, second=0,
                                                              microsecond=0)
    officers = []
    for language in ("en", "ur", "en"):
        participant_id = str(uuid.uuid4())
        address = f"e2e.{participant_id[:12]}@example.org"
        publish("registration", "registration.participant.registered", participant_id, {
            "participant_id": participant_id, "gender": "female", "agency": "FIA",
            "preferred_language": language,
            "contact_sealed": seal({"given_name": "Sana", "family_name": "Iqbal",
                                    "email": address, "phone": None})})
        officers.append((participant_id, address, language))
    publish("sessions", "sessions.session.scheduled", session_id, {
        "session_id": session_id, "series_id": None, "position": None,
        "planned_sessions": None, "kind": "coaching_session", "title": "Coaching 3 of 3",
        "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=32)).isoformat(),
        "timezone": "Asia/Karachi", "capacity": 24, "venue": None, "city": "Islamabad",
        "country": "Pakistan", "languages": ["en", "ur"]})
    for participant_id, _, _ in officers:
        enrollment_id = str(uuid.uuid4())
        publish("registration", "registration.enrollment.confirmed", enrollment_id, {
            "enrollment_id": enrollment_id, "participant_id": participant_id,
            "session_id": session_id, "series_id": None, "gender": "female", "agency": "FIA"})
    for _, address, _ in officers:
        wait_for(lambda a=address: len(_inbox(a)) >= 2, timeout_s=60)

    moved = starts + timedelta(days=7)
    publish("sessions", "sessions.session.rescheduled", session_id, {
        "session_id": session_id, "series_id": None,
        "previous_starts_at": starts.isoformat(),
        "previous_ends_at": (starts + timedelta(hours=32)).isoformat(),
        "starts_at": moved.isoformat(), "ends_at": (moved + timedelta(hours=32)).isoformat(),
        "timezone": "Asia/Karachi", "venue": None, "city": "Islamabad", "country": "Pakistan"})

    expected_time = f"{moved.day} "  # the day of the month, in Karachi (09:00 there)
    for _, address, language in officers:
        prefix = "نیا وقت" if language == "ur" else "Rescheduled"
        notices = wait_for(lambda a=address, p=prefix: [m for m in _inbox(a)
                                                        if m["subject"].startswith(p)],
                           timeout_s=60)
        assert len(notices) == 1
        assert expected_time in notices[0]["subject"] and "09:00" in notices[0]["subject"]

    feed = requests.get(f"{stack.urls['notifications']}/notifications",
                        params={"session_id": session_id, "status": "scheduled"},
                        headers=tokens("viewer"), timeout=10).json()
    assert len(feed) == 6
    assert {datetime.fromisoformat(n["due_at"]) for n in feed} == {
        moved - timedelta(days=7), moved - timedelta(days=1)}
