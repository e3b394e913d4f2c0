"""Registration on the in-memory runtime: officers, and sessions' events handed to its handlers."""

import uuid

from common.envelope import Event, new_event
from common.topics import SESSIONS_EVENTS
from services.registration import consumed
from services.registration.handlers import build_registry
from services.registration.indexes import ensure_indexes
from services.registration.stores import participant_store
from tests.fakes import FakeRuntime

CONSENT = {"policy_version": "2021-01", "given_at": "2021-03-01T09:00:00Z"}


def registration() -> FakeRuntime:
    """Registration's runtime on a fresh in-memory database, its indexes and agencies in place."""
    return FakeRuntime("registration", indexes=ensure_indexes)


def officer(runtime, given_name: str, gender: str = "female",
            agency: str = "Punjab Police") -> dict:
    """A registered officer, as her profile is stored."""
    return participant_store.register(runtime, {
        "given_name": given_name, "family_name": "Khan", "gender": gender, "agency": agency,
        "email": f"{given_name.lower()}.{uuid.uuid4().hex[:8]}@example.org",
        "preferred_language": "en", "consent": CONSENT})


def sessions_event(runtime, event_type: str, data: dict) -> Event:
    """Hand a sessions event to registration's handler for it, as the consumer would."""
    event = new_event(event_type, data.get("session_id") or data["series_id"], data, "sessions")
    subscription = build_registry(runtime).find(SESSIONS_EVENTS, event_type)
    subscription.handler(event, subscription.schema.load(data))
    return event


def schedule(runtime, capacity: int, series_id: str | None = None,
             position: int | None = None) -> str:
    """A new session, as `sessions.session.scheduled` tells registration of it; its id."""
    session_id = str(uuid.uuid4())
    sessions_event(runtime, consumed.SESSION_SCHEDULED, {
        "session_id": session_id, "series_id": series_id, "position": position,
        "kind": "coaching_session", "title": "Coaching on investigative techniques",
        "starts_at": "2021-03-25T04:00:00Z", "ends_at": "2021-03-26T12:00:00Z",
        "timezone": "Asia/Karachi", "capacity": capacity})
    return session_id


def create_series(runtime, genders=None, agencies=None) -> str:
    series_id = str(uuid.uuid4())
    sessions_event(runtime, consumed.SERIES_CREATED, {
        "series_id": series_id, "programme_id": "glo-act", "title": "Coaching series",
        "planned_sessions": 3, "eligibility": {"genders": genders, "agencies": agencies}})
    return series_id
