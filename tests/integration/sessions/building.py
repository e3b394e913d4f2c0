"""What sessions' integration tests build: a programme with a series, a session, a rostered
officer, and what was published."""

from common.envelope import Event, new_event
from common.topics import REGISTRATION_EVENTS
from services.sessions.handlers import build_registry
from tests.conftest import read_topic

MARCH = {"starts_at": "2021-03-25T09:00:00+05:00", "ends_at": "2021-03-26T17:00:00+05:00"}
DAYS = ("2021-03-25", "2021-03-26")


def published(bootstrap, runtime, count):
    """The first ``count`` events on the runtime's topic."""
    records = read_topic(bootstrap, runtime.topic, until=lambda r: len(r) >= count)
    return [Event.from_bytes(r.value) for r in records]


def new_series(call, planned=3):
    programme = call("POST", "/programmes", json={
        "name": "GLO.ACT Asia and the Middle East", "donors": ["European Union"],
        "countries": ["Pakistan"],
        "period": {"starts_on": "2018-01-01", "ends_on": "2022-12-31"}}).get_json()
    assert programme["period"] == {"starts_on": "2018-01-01", "ends_on": "2022-12-31"}
    return call("POST", "/series", json={
        "programme_id": programme["id"], "title": "Coaching on investigative techniques, 2021",
        "planned_sessions": planned}).get_json()


def new_session(call, series_id=None, **changes):
    body = {"kind": "coaching_session", "title": "Coaching 1", "timezone": "Asia/Karachi",
            "city": "Islamabad", "country": "Pakistan", "capacity": 24, **MARCH, **changes}
    if series_id:
        body["series_id"] = series_id
    response = call("POST", "/sessions", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def enroll(runtime, session, n, agency="Federal Investigation Agency"):
    """Put officer ``n`` on the roster as registration's event would."""
    registry = build_registry(runtime)
    subscription = registry.find(REGISTRATION_EVENTS, "registration.enrollment.confirmed")
    event = new_event("registration.enrollment.confirmed", f"e{n}-{session['id']}", {
        "enrollment_id": f"e{n}-{session['id']}", "participant_id": f"p{n}",
        "session_id": session["id"], "series_id": session.get("series_id"),
        "gender": "female", "agency": agency}, "registration")
    subscription.handler(event, subscription.schema.load(event.data))
    for flush in registry.flushers:  # a batch of one, as the worker's dispatcher ends it
        flush()
