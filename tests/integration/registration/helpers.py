"""What registration's integration tests share: tokens, a profile, sessions events, delivery."""

from common.auth import mint
from common.dispatch import Dispatcher, ProcessedEvents
from common.envelope import Event, new_event
from common.topics import SESSIONS_EVENTS
from services.registration.handlers import build_registry


def auth(config, *roles):
    token = mint(config.jwt_secret, "tester", list(roles), 600, config.jwt_audience,
                 config.jwt_issuer)
    return {"Authorization": f"Bearer {token}"}


def profile_of(unique, **changes):
    profile = {"given_name": "Ayesha", "family_name": "Khan", "gender": "female",
               "agency": "Federal Investigation Agency", "email": f"ayesha.{unique}@example.org",
               "phone": "+923001234567", "preferred_language": "ur",
               "consent": {"policy_version": "2021-01", "given_at": "2021-03-01T09:00:00Z"}}
    profile.update(changes)
    return profile


def register(client, config, unique, **changes) -> dict:
    """A registered participant, as the API answered."""
    response = client.post("/participants", json=profile_of(unique, **changes),
                           headers=auth(config, "coordinator"))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def scheduled(session_id, capacity, series_id=None, position=None) -> dict:
    """The data of `sessions.session.scheduled` as docs/events.md has it."""
    return {"session_id": session_id, "series_id": series_id, "position": position,
            "planned_sessions": 3 if series_id else None, "kind": "coaching_session",
            "title": "Coaching on investigative techniques", "starts_at": "2021-03-25T04:00:00Z",
            "ends_at": "2021-03-26T12:00:00Z", "timezone": "Asia/Karachi", "capacity": capacity,
            "venue": "Serena", "city": "Islamabad", "country": "Pakistan",
            "languages": ["en", "ur"]}


def series_created(series_id, genders=None, agencies=None, origin=None) -> dict:
    return {"series_id": series_id, "programme_id": "glo-act", "title": "Coaching series",
            "planned_sessions": 3, "origin_session_id": origin,
            "eligibility": {"genders": genders, "agencies": agencies}}


def deliver(runtime, event_type, data) -> Event:
    """Hand a sessions event to registration's handlers exactly as the consumer loop does."""
    event = new_event(event_type, data.get("session_id") or data["series_id"], data,
                      "sessions")
    dispatcher = Dispatcher(build_registry(runtime),
                            ProcessedEvents(runtime.db["processed_events"]), max_attempts=1)
    outcome = dispatcher.dispatch(SESSIONS_EVENTS, event.to_bytes())
    assert outcome.action == "handled", outcome
    return event


def participants_stored(runtime) -> int:
    return runtime.db["participants"].count_documents({})
