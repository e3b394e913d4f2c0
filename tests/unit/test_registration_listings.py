"""What a coordinator's lists show, read by `_id` on the in-memory runtime."""

import pytest

from common.persistence import numbered_log
from services.registration.stores import (
    enrollment_store,
    enrollment_sweep,
    participant_store,
    seat_store,
)
from tests.fakes import FakeRuntime
from tests.unit import registration_helpers as world


@pytest.fixture
def runtime():
    return world.registration()


def test_officers_are_listed_in_registration_order_page_by_page_and_by_agency(runtime):
    names = ["Ayesha", "Bushra", "Fatima", "Hina", "Sana"]
    officers = [world.officer(runtime, n, agency=("Punjab Police" if i % 2 else
                                                  "Federal Investigation Agency"))
                for i, n in enumerate(names)]
    page, total = participant_store.listing(runtime, None, 2, 2)
    assert ([p["given_name"] for p in page], total) == (["Fatima", "Hina"], 5)
    punjab, total = participant_store.listing(runtime, "punjab  police", 0, 10)
    assert ([p["given_name"] for p in punjab], total) == (["Bushra", "Hina"], 2)
    participant_store.update(runtime, officers[0]["_id"], {"agency": "Punjab Police"})
    punjab, _ = participant_store.listing(runtime, "Punjab Police", 0, 10)
    assert [p["given_name"] for p in punjab] == ["Bushra", "Hina", "Ayesha"]
    federal, _ = participant_store.listing(runtime, "Federal Investigation Agency", 0, 10)
    assert [p["given_name"] for p in federal] == ["Fatima", "Sana"]


def test_a_sessions_list_shows_every_enrollment_a_withdrawn_one_too(runtime):
    session_id = world.schedule(runtime, capacity=1)
    ayesha, fatima = (world.officer(runtime, n) for n in ("Ayesha", "Fatima"))
    first = seat_store.enroll(runtime, session_id, ayesha)
    seat_store.enroll(runtime, session_id, fatima)
    seat_store.withdraw(runtime, first["_id"])
    again = seat_store.enroll(runtime, session_id, ayesha)
    shown, total = enrollment_store.listing(runtime, {"session_id": session_id}, 0, 10)
    assert total == 3
    assert {(e["participant_id"], e["status"], e["position"]) for e in shown} == {
        (ayesha["_id"], "withdrawn", None), (fatima["_id"], "confirmed", None),
        (ayesha["_id"], "waitlisted", 1)}
    waiting, total = enrollment_store.listing(
        runtime, {"session_id": session_id, "status": "waitlisted"}, 0, 10)
    assert ([e["_id"] for e in waiting], total) == ([again["_id"]], 1)


def test_an_officers_list_and_the_unfiltered_pages_hold_each_enrollment_once(runtime):
    sessions = [world.schedule(runtime, capacity=5) for _ in range(3)]
    ayesha, fatima = (world.officer(runtime, n) for n in ("Ayesha", "Fatima"))
    made = [seat_store.enroll(runtime, s, o) for s in sessions for o in (ayesha, fatima)]
    hers, total = enrollment_store.listing(runtime, {"participant_id": ayesha["_id"]}, 0, 10)
    # In order of request: within one millisecond (what the database keeps), by id.
    assert (sorted(e["session_id"] for e in hers), total) == (sorted(sessions), 3)
    enrollment_sweep.sweep_now(runtime)  # a re-copy numbers nothing twice
    first, total = enrollment_store.listing(runtime, {}, 0, 4)
    rest, _ = enrollment_store.listing(runtime, {}, 4, 4)
    assert total == 6
    assert [e["_id"] for e in first + rest] == [e["_id"] for e in made]


def test_numbers_taken_by_another_process_are_skipped_not_overwritten():
    pages = FakeRuntime("registration").db["pages"]
    assert numbered_log.append_next(pages, "all", {"n": "mine"}) == 0
    numbered_log.append(pages, "all", 1, {"n": "another process's"})
    assert numbered_log.append_next(pages, "all", {"n": "mine again"}) == 2
    assert numbered_log.length(pages, "all") == 3
    assert [e["n"] for e in numbered_log.page(pages, "all", 1, 5)] == [
        "another process's", "mine again"]


def test_a_page_read_again_takes_its_numbered_entries_from_memory(runtime):
    for name in ("Ayesha", "Bushra", "Fatima"):
        world.officer(runtime, name)
    participant_store.listing(runtime, None, 0, 2)
    # Were the entries read again, the page would now be empty: they never change once written.
    runtime.db[participant_store.PAGES].delete_many(
        {"_id": {"$in": [numbered_log.entry_id("all", n) for n in (0, 1)]}})

    page, total = participant_store.listing(runtime, None, 0, 2)

    assert ([p["given_name"] for p in page], total) == (["Ayesha", "Bushra"], 3)


def test_a_full_group_of_entries_is_sealed_and_then_read_in_one():
    from services.registration.stores import listed_pages
    pages = FakeRuntime("registration").db["pages"]
    for n in range(45):
        numbered_log.append_next(pages, "all", {"n": n})
    assert [e["n"] for e in listed_pages.page(pages, "all", 15, 10)] == list(range(15, 25))
    assert [e["n"] for e in listed_pages.page(pages, "all", 40, 20)] == list(range(40, 45))
    listed_pages._kept.clear()  # as another process would, which never read them
    pages.delete_many({"_id": {"$in": [numbered_log.entry_id("all", n) for n in range(40)]}})
    assert [e["n"] for e in listed_pages.page(pages, "all", 0, 40)] == list(range(40))


def test_a_page_shows_a_profile_changed_by_another_process_once_it_said_so(runtime):
    from services.registration.stores import listed_profiles
    ayesha = world.officer(runtime, "Ayesha")
    assert participant_store.listing(runtime, None, 0, 5)[0][0]["given_name"] == "Ayesha"
    runtime.db[participant_store.COLLECTION].update_one(
        {"_id": ayesha["_id"]}, {"$set": {"given_name": "Ayeshah"}})
    # Kept in memory: read again only once a change is announced (as every write does).
    assert participant_store.listing(runtime, None, 0, 5)[0][0]["given_name"] == "Ayesha"
    listed_profiles.changed(runtime.db[participant_store.PAGES])
    assert participant_store.listing(runtime, None, 0, 5)[0][0]["given_name"] == "Ayeshah"
