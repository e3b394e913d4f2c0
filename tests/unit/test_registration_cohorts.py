"""Cohorts on the in-memory runtime: a whole series, a workshop's attendees, eligibility."""

import pytest

from services.registration import events
from services.registration.domain.errors import NotEligibleError
from services.registration.stores import cohort_store, enrollment_store, seat_store
from tests.unit import registration_helpers as world


@pytest.fixture
def runtime():
    return world.registration()


def _enrollments_of(runtime, participant_id) -> dict[str, str]:
    """Session id -> her status there, as a coordinator's list of enrollments shows it."""
    return {e["session_id"]: e["status"]
            for e in enrollment_store.of_participant(runtime, participant_id)}


def _attended(runtime, session_id, participant_id, status):
    world.sessions_event(runtime, "sessions.attendance.recorded", {
        "session_id": session_id, "participant_id": participant_id, "day": "2021-03-25",
        "status": status})


def test_joining_a_series_enrolls_her_now_and_in_sessions_scheduled_later(runtime):
    series_id = world.create_series(runtime)
    first = world.schedule(runtime, capacity=10, series_id=series_id, position=1)
    second = world.schedule(runtime, capacity=10, series_id=series_id, position=2)
    ayesha = world.officer(runtime, "Ayesha")
    joined = cohort_store.join_series(runtime, series_id, ayesha["_id"])
    assert [(e["session_id"], e["status"]) for e in joined] == [
        (first, "confirmed"), (second, "confirmed")]
    third = world.schedule(runtime, capacity=10, series_id=series_id, position=3)
    assert _enrollments_of(runtime, ayesha["_id"]) == {
        first: "confirmed", second: "confirmed", third: "confirmed"}
    assert cohort_store.members(runtime, series_id) == [ayesha["_id"]]
    assert runtime.publisher.types().count(events.ENROLLMENT_CONFIRMED) == 3


def test_joining_twice_changes_nothing(runtime):
    series_id = world.create_series(runtime)
    session_id = world.schedule(runtime, capacity=10, series_id=series_id, position=1)
    ayesha = world.officer(runtime, "Ayesha")
    first = cohort_store.join_series(runtime, series_id, ayesha["_id"])
    again = cohort_store.join_series(runtime, series_id, ayesha["_id"])
    assert [e["_id"] for e in again] == [e["_id"] for e in first]
    assert cohort_store.members(runtime, series_id) == [ayesha["_id"]]
    assert _enrollments_of(runtime, ayesha["_id"]) == {session_id: "confirmed"}


def test_a_workshops_attendees_become_the_series_cohort_and_the_absent_do_not(runtime):
    workshop = world.schedule(runtime, capacity=10)
    ayesha, fatima, sana = (world.officer(runtime, n) for n in ("Ayesha", "Fatima", "Sana"))
    _attended(runtime, workshop, ayesha["_id"], "present")
    _attended(runtime, workshop, fatima["_id"], "late")
    _attended(runtime, workshop, sana["_id"], "absent")
    series_id = world.create_series(runtime)
    coaching = world.schedule(runtime, capacity=10, series_id=series_id, position=1)
    outcome = cohort_store.join_from_session(runtime, series_id, workshop, "attendees")
    assert outcome["joined"] == [ayesha["_id"], fatima["_id"]]
    assert outcome["refused"] == []
    assert cohort_store.members(runtime, series_id) == [ayesha["_id"], fatima["_id"]]
    assert _enrollments_of(runtime, ayesha["_id"]) == {coaching: "confirmed"}
    assert _enrollments_of(runtime, sana["_id"]) == {}


def test_an_officer_the_series_does_not_admit_is_refused_with_the_reason(runtime):
    series_id = world.create_series(runtime, genders=["female"])
    session_id = world.schedule(runtime, capacity=10, series_id=series_id, position=1)
    imran = world.officer(runtime, "Imran", gender="male")
    with pytest.raises(NotEligibleError, match="open only to gender"):
        cohort_store.join_series(runtime, series_id, imran["_id"])
    assert cohort_store.members(runtime, series_id) == []
    assert _enrollments_of(runtime, imran["_id"]) == {}
    assert not [t for t in runtime.publisher.types() if t.startswith("registration.enrollment")]
    # Enrolled directly in one of its sessions, she is rejected there with the same reason.
    rejected = seat_store.enroll(runtime, session_id, imran)
    assert rejected["status"] == "rejected" and "open only to gender" in rejected["reason"]


def test_a_workshops_ineligible_attendee_is_listed_as_refused(runtime):
    workshop = world.schedule(runtime, capacity=10)
    ayesha = world.officer(runtime, "Ayesha")
    imran = world.officer(runtime, "Imran", gender="male", agency="Federal Investigation Agency")
    for officer in (ayesha, imran):
        _attended(runtime, workshop, officer["_id"], "present")
    series_id = world.create_series(runtime, agencies=["Punjab Police"])
    outcome = cohort_store.join_from_session(runtime, series_id, workshop, "attendees")
    assert outcome["joined"] == [ayesha["_id"]]
    assert [r["participant_id"] for r in outcome["refused"]] == [imran["_id"]]
    assert "Punjab Police" in outcome["refused"][0]["reason"]
