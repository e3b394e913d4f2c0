"""A seat decision starts from the seats the process remembers: stale memory never decides."""

import uuid

from services.registration.stores import seat_log_store
from tests.integration.registration.helpers import auth, deliver, register, scheduled


def _enroll(client, config, participant_id, session_id):
    return client.post("/enrollments", json={"participant_id": participant_id,
                                             "session_id": session_id},
                       headers=auth(config, "coordinator"))


def _stale(monkeypatch, state):
    """This process remembers ``state`` although the log went on (as after another process's
    decision)."""
    monkeypatch.setattr(seat_log_store, "remembered", lambda runtime, session_id: state)


def test_a_seat_taken_meanwhile_is_not_given_again_from_stale_memory(api, unique, monkeypatch):
    client, runtime, config = api
    session_id = str(uuid.uuid4())
    deliver(runtime, "sessions.session.scheduled", scheduled(session_id, capacity=1))
    before = seat_log_store.state(runtime, session_id)
    first = register(client, config, f"a{unique}")["id"]
    second = register(client, config, f"b{unique}")["id"]
    assert _enroll(client, config, first, session_id).get_json()["status"] == "confirmed"

    _stale(monkeypatch, before)
    answer = _enroll(client, config, second, session_id)

    assert answer.status_code == 201
    assert answer.get_json()["status"] == "waitlisted"
    seats = client.get(f"/sessions/{session_id}", headers=auth(config, "coordinator")).get_json()
    assert seats["confirmed"] == 1 and seats["waiting_list"][0]["participant_id"] == second


def test_a_refusal_from_stale_memory_is_decided_again_from_the_log(api, unique, monkeypatch):
    client, runtime, config = api
    session_id = str(uuid.uuid4())
    deliver(runtime, "sessions.session.scheduled", scheduled(session_id, capacity=1))
    officer = register(client, config, unique)["id"]
    enrolled = _enroll(client, config, officer, session_id).get_json()
    enrolled_state = seat_log_store.state(runtime, session_id)
    withdrawn = client.post(f"/enrollments/{enrolled['id']}/withdrawal",
                            headers=auth(config, "coordinator"))
    assert withdrawn.status_code == 200

    _stale(monkeypatch, enrolled_state)  # remembers her as still enrolled
    again = _enroll(client, config, officer, session_id)

    assert again.status_code == 201, again.get_json()
    assert again.get_json()["status"] == "confirmed"
