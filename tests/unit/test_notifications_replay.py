"""A decision redelivered after its worker died half-way through it is told and rostered."""

import uuid
from datetime import UTC, datetime, timedelta

from common.config import load_notification_settings
from common.dispatch import Dispatcher, ProcessedEvents
from common.envelope import new_event
from common.persistence import projection
from common.topics import REGISTRATION_EVENTS, SESSIONS_EVENTS
from services.notifications.handlers import build_registry
from services.notifications.indexes import ensure_indexes
from services.notifications.stores import enrollment_store
from tests.fakes import FakeRuntime

NOW = datetime(2031, 6, 1, 8, 0, tzinfo=UTC)
STARTS = NOW + timedelta(days=30)


def _dispatcher(runtime) -> Dispatcher:
    return Dispatcher(build_registry(runtime, load_notification_settings(), lambda: NOW),
                      ProcessedEvents(runtime.db["processed_events"]), max_attempts=1)


def _deliver(dispatcher, topic, type_, subject, data):
    event = new_event(type_, subject, data, topic.split(".")[0])
    assert dispatcher.dispatch(topic, event.to_bytes()).action == "handled"
    return event


def test_a_confirmation_redelivered_after_its_worker_died_mid_way_is_rostered_and_told(
        monkeypatch):
    monkeypatch.setenv("GLO_ACT_ENV", "development")
    runtime = FakeRuntime("notifications", indexes=ensure_indexes)
    dispatcher = _dispatcher(runtime)
    session_id, participant_id, enrollment_id = (str(uuid.uuid4()) for _ in range(3))
    _deliver(dispatcher, SESSIONS_EVENTS, "sessions.session.scheduled", session_id, {
        "session_id": session_id, "series_id": None, "position": 1, "planned_sessions": 1,
        "kind": "coaching_session", "title": "Coaching", "starts_at": STARTS.isoformat(),
        "ends_at": (STARTS + timedelta(hours=8)).isoformat(), "timezone": "Asia/Karachi",
        "capacity": 24, "venue": "UNODC Country Office", "city": "Islamabad",
        "country": "Pakistan", "languages": ["en"]})
    confirmed = {"enrollment_id": enrollment_id, "participant_id": participant_id,
                 "session_id": session_id, "series_id": None, "gender": "female",
                 "agency": "Punjab Police", "sequence": 3}
    # The worker that first took the event projected it, then died: nothing else was stored.
    projection.upsert(runtime.db[enrollment_store.COLLECTION], enrollment_id,
                      {"participant_id": participant_id, "session_id": session_id,
                       "series_id": None, "status": "confirmed", "sequence": 3})

    _deliver(_dispatcher(runtime), REGISTRATION_EVENTS, "registration.enrollment.confirmed",
             enrollment_id, confirmed)

    assert enrollment_store.enrolled_in_session(runtime, session_id) == [participant_id]
    told = runtime.db["notifications"].find_one({"recipient_id": participant_id,
                                                 "kind": "enrollment_confirmed"})
    assert told is not None and told["status"] == "pending"
