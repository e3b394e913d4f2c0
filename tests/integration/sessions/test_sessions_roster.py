"""The roster projection on the real broker and database: registration's events in, roster out."""

from datetime import UTC, datetime

from common.dispatch import Dispatcher, ProcessedEvents
from common.envelope import new_event
from services.sessions.handlers import build_registry
from services.sessions.stores import roster_store
from tests.conftest import wait_for
from tests.integration.sessions.building import new_session


def _enrollment(kind, n, session_id, **extra):
    data = {"enrollment_id": f"e{n}", "participant_id": f"p{n}", "session_id": session_id,
            "series_id": "series-1", **extra}
    if kind in ("confirmed", "promoted"):
        data = {"gender": "female", "agency": "Punjab Police", **data}
    return new_event(f"registration.enrollment.{kind}", f"e{n}", data, "registration")


def _roster(runtime, session_id):
    session = {"_id": session_id, "series_id": "series-1", "timezone": "Asia/Karachi",
               "starts_at": datetime(2021, 3, 25, 4, tzinfo=UTC),
               "ends_at": datetime(2021, 3, 26, 12, tzinfo=UTC)}
    return {e["participant_id"]: (e["gender"], e["agency"])
            for e in roster_store.active(runtime, session).values()}


def test_confirmed_and_promoted_enrollments_make_the_roster_without_names(projection):
    publish, runtime = projection
    publish(_enrollment("confirmed", 1, "s1"), _enrollment("promoted", 2, "s1",
                                                           agency="Federal Investigation Agency"),
            _enrollment("confirmed", 3, "other-session"))
    shown = wait_for(lambda: len(_roster(runtime, "s1")) == 2 and _roster(runtime, "s1"))
    assert shown == {"p1": ("female", "Punjab Police"),
                     "p2": ("female", "Federal Investigation Agency")}
    stored = runtime.db["roster"].find_one({"_id": "e1"})
    assert set(stored) <= {"_id", "participant_id", "session_id", "series_id", "gender",
                           "agency", "status", "updated_at", "source_event_id"}


def test_withdrawn_and_cancelled_leave_and_a_replayed_confirmation_does_not_revive(projection):
    publish, runtime = projection
    publish(*[_enrollment("confirmed", n, "s1") for n in range(1, 4)])
    wait_for(lambda: len(_roster(runtime, "s1")) == 3)
    replay = _enrollment("confirmed", 1, "s1")  # a new event id: the Dispatcher cannot skip it
    publish(_enrollment("withdrawn", 1, "s1", previous_status="confirmed"),
            _enrollment("cancelled", 2, "s1", reason="session full"), replay)
    wait_for(lambda: runtime.db["processed_events"].find_one({"_id": replay.id}))
    assert set(_roster(runtime, "s1")) == {"p3"}


def test_same_event_twice_has_its_effect_once(projection):
    publish, runtime = projection
    confirmed = _enrollment("confirmed", 1, "s1")
    marker = _enrollment("confirmed", 2, "s1")
    publish(confirmed, confirmed, marker)
    wait_for(lambda: runtime.db["processed_events"].find_one({"_id": marker.id}))
    assert runtime.db["roster"].count_documents({"participant_id": "p1"}) == 1
    assert runtime.db["processed_events"].count_documents({"_id": confirmed.id}) == 1


def test_erased_participant_is_unlinked_everywhere_and_stays_out(projection):
    publish, runtime = projection
    publish(_enrollment("confirmed", 1, "s1"))
    wait_for(lambda: _roster(runtime, "s1"))
    runtime.db["roster"].update_one({"_id": "e1"}, {"$set": {"feedback.s1": {
        "rating": 5, "comments": "my own words", "consent_to_quote": True}}})
    erased = new_event("registration.participant.erased", "p1", {"participant_id": "p1"},
                       "registration")
    late = new_event("registration.enrollment.confirmed", "e9", {
        "enrollment_id": "e9", "participant_id": "p1", "session_id": "s2",
        "series_id": "series-1", "gender": "female", "agency": "Punjab Police"}, "registration")
    publish(erased)
    wait_for(lambda: runtime.db["processed_events"].find_one({"_id": erased.id}))
    publish(late)  # after the erasure, e.g. a confirmation still in flight elsewhere
    wait_for(lambda: runtime.db["processed_events"].find_one({"_id": late.id}))
    assert runtime.db["roster"].count_documents({"participant_id": "p1"}) == 0
    scrubbed = runtime.db["roster"].find_one({"_id": "e1"})
    assert scrubbed["participant_id"].startswith("erased-")
    assert scrubbed["feedback"]["s1"] == {"rating": 5, "consent_to_quote": True}
    assert runtime.db["roster"].find_one({"_id": "e9"}) is None


def test_a_poll_of_100_cancellations_leaves_the_database_answering_a_reschedule(api):
    """A session of 500 cancelled: registration's 500 cancellations came to the worker in polls
    of 100, each ending enrollments already stored. Written as one update command of 100,
    FerretDB 1.24 never answered it (each matched update keeps one of the database's 100 SQLite
    connections until the command ends) and the sessions database stopped answering anyone
    until FerretDB was restarted: the worker retried the poll every 22 s, reschedules got 503."""
    call, runtime = api
    session = new_session(call)
    registry = build_registry(runtime, "it.registration", runtime.topic)
    dispatcher = Dispatcher(registry, ProcessedEvents(runtime.db["processed_events"]),
                            max_attempts=1)

    def poll(kind, **extra):
        return dispatcher.dispatch_batch([("it.registration", _enrollment(
            kind, n, session["id"], **extra).to_bytes()) for n in range(100)])

    assert {o.action for o in poll("confirmed")} == {"handled"}
    assert {o.action for o in poll("cancelled", reason="session cancelled")} == {"handled"}
    assert _roster(runtime, session["id"]) == {}
    assert runtime.db["roster"].find_one({"_id": "e99"})["status"] == "cancelled"
    moved = call("POST", f"/sessions/{session['id']}/reschedule", json={
        "starts_at": "2021-03-29T09:00:00+05:00", "ends_at": "2021-03-30T17:00:00+05:00"})
    assert moved.status_code == 200, moved.get_json()
