"""Seats on the in-memory runtime: capacity, the waiting list, promotion, one seat per officer."""

import pytest

from services.registration import events
from services.registration.domain import seat_rules
from services.registration.domain.errors import AlreadyEnrolledError, SessionClosedError
from services.registration.stores import enrollment_store, seat_log_store, seat_store
from tests.unit import registration_helpers as world


@pytest.fixture
def runtime():
    return world.registration()


def _enroll(runtime, session_id, *names) -> list[dict]:
    return [seat_store.enroll(runtime, session_id, world.officer(runtime, name))
            for name in names]


def test_seats_go_to_the_first_requests_and_the_rest_wait_in_order(runtime):
    session_id = world.schedule(runtime, capacity=2)
    ayesha, fatima, sana, hina = _enroll(runtime, session_id, "Ayesha", "Fatima", "Sana", "Hina")
    assert [e["status"] for e in (ayesha, fatima)] == ["confirmed", "confirmed"]
    assert [(e["status"], e["position"]) for e in (sana, hina)] == [
        ("waitlisted", 1), ("waitlisted", 2)]
    assert runtime.publisher.types() == [
        events.PARTICIPANT_REGISTERED, events.ENROLLMENT_CONFIRMED,
        events.PARTICIPANT_REGISTERED, events.ENROLLMENT_CONFIRMED,
        events.PARTICIPANT_REGISTERED, events.ENROLLMENT_WAITLISTED,
        events.PARTICIPANT_REGISTERED, events.ENROLLMENT_WAITLISTED]
    seats = seat_store.seats_of(runtime, session_id)
    assert (seats["seats_left"], seats["confirmed"]) == (0, 2)
    assert [w["enrollment_id"] for w in seats["waiting_list"]] == [sana["_id"], hina["_id"]]


def test_a_withdrawal_promotes_the_first_waiting_and_moves_the_next_up(runtime):
    session_id = world.schedule(runtime, capacity=1)
    ayesha, fatima, sana = _enroll(runtime, session_id, "Ayesha", "Fatima", "Sana")
    left = seat_store.withdraw(runtime, ayesha["_id"])
    assert (left["status"], left["previous_status"]) == ("withdrawn", "confirmed")
    assert enrollment_store.current(runtime, fatima["_id"])["status"] == "confirmed"
    sana_now = enrollment_store.current(runtime, sana["_id"])
    assert (sana_now["status"], sana_now["position"]) == ("waitlisted", 1)
    # The copy a coordinator lists is moved up too, not only the seat log.
    assert enrollment_store.get(runtime, sana["_id"])["position"] == 1
    assert runtime.publisher.types(ayesha["_id"])[-1] == events.ENROLLMENT_WITHDRAWN
    assert runtime.publisher.types(fatima["_id"]) == [
        events.ENROLLMENT_WAITLISTED, events.ENROLLMENT_PROMOTED]


def test_an_officer_enrolled_twice_keeps_one_seat_and_is_told_which(runtime):
    session_id = world.schedule(runtime, capacity=5)
    ayesha = world.officer(runtime, "Ayesha")
    first = seat_store.enroll(runtime, session_id, ayesha)
    with pytest.raises(AlreadyEnrolledError) as refused:
        seat_store.enroll(runtime, session_id, ayesha)
    assert refused.value.existing_id == first["_id"]
    assert seat_store.seats_of(runtime, session_id)["seats_left"] == 4
    assert runtime.publisher.types().count(events.ENROLLMENT_CONFIRMED) == 1


def test_two_requests_for_one_officer_racing_on_the_same_seats_give_one_seat(
        runtime, monkeypatch):
    session_id = world.schedule(runtime, capacity=5)
    ayesha = world.officer(runtime, "Ayesha")
    real_state, rival = seat_log_store.state, []

    def state_then_another_process_appends(runtime_, session_id_):
        # This read of the seats goes stale: another API process, deciding on the same
        # state, appends her enrollment first.
        before = real_state(runtime_, session_id_)
        if not rival:
            entry = {"enrollment_id": "rival", "participant_id": ayesha["_id"],
                     "gender": "female", "agency": "Punjab Police"}
            [change] = seat_rules.admit(before, entry, None)
            rival.append(seat_log_store.append(runtime_, before, "enrolled", [change[0]], []))
        return before

    monkeypatch.setattr(seat_log_store, "state", state_then_another_process_appends)
    with pytest.raises(AlreadyEnrolledError) as refused:
        seat_store.enroll(runtime, session_id, ayesha)
    assert refused.value.existing_id == "rival"
    monkeypatch.undo()
    assert seat_log_store.state(runtime, session_id).holders == [ayesha["_id"]]
    assert runtime.publisher.types().count(events.ENROLLMENT_CONFIRMED) == 0


def test_more_capacity_promotes_in_order_and_less_evicts_nobody(runtime):
    session_id = world.schedule(runtime, capacity=1)
    ayesha, fatima, sana = _enroll(runtime, session_id, "Ayesha", "Fatima", "Sana")
    world.sessions_event(runtime, "sessions.session.capacity_changed",
                         {"session_id": session_id, "capacity": 2})
    assert enrollment_store.current(runtime, fatima["_id"])["status"] == "confirmed"
    assert enrollment_store.current(runtime, sana["_id"])["position"] == 1
    world.sessions_event(runtime, "sessions.session.capacity_changed",
                         {"session_id": session_id, "capacity": 1})
    assert seat_log_store.state(runtime, session_id).holders == [ayesha["participant_id"],
                                                              fatima["participant_id"]]


def test_a_cancelled_session_cancels_everyone_and_takes_no_more(runtime):
    session_id = world.schedule(runtime, capacity=1)
    ayesha, fatima = _enroll(runtime, session_id, "Ayesha", "Fatima")
    world.sessions_event(runtime, "sessions.session.cancelled",
                         {"session_id": session_id, "reason": "flooding in Lahore"})
    for enrollment in (ayesha, fatima):
        now = enrollment_store.current(runtime, enrollment["_id"])
        assert (now["status"], now["reason"]) == ("cancelled", "flooding in Lahore")
        assert runtime.publisher.types(enrollment["_id"])[-1] == events.ENROLLMENT_CANCELLED
    with pytest.raises(SessionClosedError):
        _enroll(runtime, session_id, "Sana")
