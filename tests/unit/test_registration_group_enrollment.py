"""Enrollments decided together: concurrent requests for one session's turn, a group of officers
in one request, and the unfiltered pages reading the seats as they are now."""

import threading

import pytest

from services.registration.domain.errors import AlreadyEnrolledError, UnknownSessionError
from services.registration.stores import (
    enrollment_store,
    enrollment_sweep,
    group_enrollment_store,
    participant_store,
    seat_log_store,
    seat_store,
    turns,
)
from tests.unit import registration_helpers as world


@pytest.fixture
def runtime():
    return world.registration()


def test_requests_waiting_for_one_sessions_turn_each_get_their_own_outcome(runtime):
    session_id = world.schedule(runtime, capacity=5)
    officers = [world.officer(runtime, f"Officer{n}") for n in range(12)]
    officers.append(officers[0])  # the same officer twice: one seat, one refusal
    outcomes, started = [None] * len(officers), threading.Barrier(len(officers))

    def enroll(n: int) -> None:
        started.wait()
        try:
            outcomes[n] = seat_store.enroll(runtime, session_id, officers[n])
        except AlreadyEnrolledError as exc:
            outcomes[n] = exc

    threads = [threading.Thread(target=enroll, args=(n,)) for n in range(len(officers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    refused = [o for o in outcomes if isinstance(o, AlreadyEnrolledError)]
    enrolled = [o for o in outcomes if isinstance(o, dict)]
    assert len(refused) == 1 and len(enrolled) == 12
    assert sorted(o["status"] for o in enrolled) == ["confirmed"] * 5 + ["waitlisted"] * 7
    assert sorted(o["position"] for o in enrolled if o["status"] == "waitlisted") == \
        list(range(1, 8))
    seats = seat_store.seats_of(runtime, session_id)
    assert (seats["confirmed"], len(seats["waiting_list"])) == (5, 7)
    for outcome in enrolled:  # each one's copy is there as she was told
        assert enrollment_store.get(runtime, outcome["_id"])["status"] == outcome["status"]


def test_a_turn_that_fails_tells_every_request_it_took():
    taken = []

    def lead(batch):
        taken.extend(batch)
        raise RuntimeError("database unavailable")

    requests = turns.decide_together(("db", "s"), ["a", "b"], threading.Lock(), lead)
    assert len(taken) == 2
    for request in requests:
        with pytest.raises(RuntimeError):
            request.outcome()


def test_a_group_gets_each_officers_outcome_in_order_and_seats_stay_exact(runtime):
    session_id = world.schedule(runtime, capacity=2)
    ayesha, fatima, sana = (world.officer(runtime, n) for n in ("Ayesha", "Fatima", "Sana"))
    erased = world.officer(runtime, "Hina")
    participant_store.tombstone(runtime, erased["_id"])
    asked = [ayesha["_id"], "nobody", fatima["_id"], erased["_id"], sana["_id"], ayesha["_id"]]

    outcomes = group_enrollment_store.enroll_group(runtime, session_id, asked)

    assert [(o["participant_id"], o["status"]) for o in outcomes] == [
        (ayesha["_id"], 201), ("nobody", 422), (fatima["_id"], 201), (erased["_id"], 409),
        (sana["_id"], 201)]
    assert [o["enrollment"]["status"] for o in outcomes if o["status"] == 201] == [
        "confirmed", "confirmed", "waitlisted"]
    assert outcomes[4]["enrollment"]["position"] == 1
    assert "erased" in outcomes[3]["message"]


def test_a_group_asked_again_enrolls_nobody_twice_and_names_each_enrollment(runtime):
    session_id = world.schedule(runtime, capacity=10)
    officers = [world.officer(runtime, n)["_id"] for n in ("Ayesha", "Fatima")]
    first = group_enrollment_store.enroll_group(runtime, session_id, officers)

    again = group_enrollment_store.enroll_group(runtime, session_id, officers)

    assert [o["status"] for o in again] == [409, 409]
    assert [o["existing_id"] for o in again] == [o["enrollment"]["_id"] for o in first]
    assert seat_store.seats_of(runtime, session_id)["confirmed"] == 2


def test_a_group_for_a_session_registration_never_heard_of_is_refused_whole(runtime):
    with pytest.raises(UnknownSessionError):
        group_enrollment_store.enroll_group(runtime, "no-such-session",
                                            [world.officer(runtime, "Ayesha")["_id"]])


def test_the_unfiltered_pages_show_each_enrollment_as_its_seats_are_now(runtime):
    session_id = world.schedule(runtime, capacity=1)
    ayesha, fatima = (world.officer(runtime, n) for n in ("Ayesha", "Fatima"))
    first, second = (seat_store.enroll(runtime, session_id, o) for o in (ayesha, fatima))
    seat_store.withdraw(runtime, first["_id"])
    again = seat_store.enroll(runtime, session_id, ayesha)

    shown, total = enrollment_store.listing(runtime, {}, 0, 10)

    assert total == 3
    assert [(e["_id"], e["status"], e["position"]) for e in shown] == [
        (first["_id"], "withdrawn", None), (second["_id"], "confirmed", None),
        (again["_id"], "waitlisted", 1)]


def test_the_sweep_repairs_copies_a_withdrawal_left_stale_without_recopying_the_rest(runtime):
    session_id = world.schedule(runtime, capacity=1)
    ayesha, fatima, sana = (seat_store.enroll(runtime, session_id, world.officer(runtime, n))
                            for n in ("Ayesha", "Fatima", "Sana"))
    sweep = enrollment_sweep.Sweep(runtime, settle_s=0)
    sweep.step()  # every copy is right
    seat_log_store._noted.clear()  # later: the withdrawal notes the session again
    seat_store.withdraw(runtime, ayesha["_id"])
    copies = runtime.db[enrollment_store.COLLECTION]
    # As a crash between the seat log's entry and the copies would leave them:
    copies.update_one({"_id": fatima["_id"]}, {"$set": {"status": "waitlisted", "position": 1,
                                                        "revision": 0}})
    copies.update_one({"_id": sana["_id"]}, {"$set": {"position": 2, "revision": 0}})

    done = sweep.step()

    assert done["verified"] == 3  # the three officers' copies, as the withdrawal moved them all
    assert (copies.find_one({"_id": fatima["_id"]})["status"],
            copies.find_one({"_id": sana["_id"]})["position"]) == ("confirmed", 1)


def test_a_copy_from_before_her_withdrawal_landing_late_does_not_bring_her_seat_back(runtime):
    session_id = world.schedule(runtime, capacity=5)
    ayesha = seat_store.enroll(runtime, session_id, world.officer(runtime, "Ayesha"))
    seat_store.enroll(runtime, session_id, world.officer(runtime, "Fatima"))
    before = seat_log_store.state(runtime, session_id)  # Ayesha confirmed
    assert enrollment_sweep.sweep_now(runtime, [session_id]) == 0  # her copy is as she is
    seat_store.withdraw(runtime, ayesha["_id"])

    enrollment_store.sync(runtime, before, [ayesha["participant_id"]])  # a late, older copy

    copy = enrollment_store.get(runtime, ayesha["_id"])
    assert copy["status"] == "withdrawn"
    assert enrollment_store.listing(runtime, {"participant_id": ayesha["participant_id"]},
                                    0, 10)[0][0]["status"] == "withdrawn"
