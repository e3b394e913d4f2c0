"""Enrollments against the real database: seats, the waiting list, eligibility, cancellation."""

import uuid

from common.envelope import Event
from services.registration.stores import enrollment_sweep, seat_log_store
from tests.conftest import read_topic
from tests.integration.registration.helpers import (
    auth,
    deliver,
    register,
    scheduled,
    series_created,
)

SCHEDULED = "sessions.session.scheduled"


def _enroll(client, config, participant_id, session_id):
    return client.post("/enrollments", json={"participant_id": participant_id,
                                             "session_id": session_id},
                       headers=auth(config, "coordinator"))


def _officers(client, config, unique, n, **changes):
    return [register(client, config, f"{i}{unique}", **changes)["id"] for i in range(n)]


def test_seats_then_waiting_list_then_withdrawal_promotes_the_first_waitlisted(
        api, unique, kafka_bootstrap):
    client, runtime, config = api
    session_id = str(uuid.uuid4())
    deliver(runtime, SCHEDULED, scheduled(session_id, capacity=2))
    people = _officers(client, config, unique, 4)
    answers = [_enroll(client, config, p, session_id).get_json() for p in people]
    assert [a["status"] for a in answers] == ["confirmed", "confirmed", "waitlisted",
                                              "waitlisted"]
    assert [a["position"] for a in answers[2:]] == [1, 2]

    withdrawn = client.post(f"/enrollments/{answers[0]['id']}/withdrawal",
                            headers=auth(config, "coordinator"))
    assert withdrawn.status_code == 200
    assert withdrawn.get_json()["status"] == "withdrawn"
    promoted = client.get(f"/enrollments/{answers[2]['id']}", headers=auth(config, "viewer"))
    assert promoted.get_json()["status"] == "confirmed"
    still = client.get(f"/enrollments/{answers[3]['id']}", headers=auth(config, "viewer"))
    assert still.get_json()["position"] == 1
    seats = client.get(f"/sessions/{session_id}", headers=auth(config, "viewer")).get_json()
    assert (seats["confirmed"], seats["seats_left"]) == (2, 0)
    assert [w["enrollment_id"] for w in seats["waiting_list"]] == [answers[3]["id"]]

    records = read_topic(kafka_bootstrap, runtime.topic,
                         until=lambda r: any(b"enrollment.promoted" in x.value for x in r))
    promotion = [Event.from_bytes(r.value) for r in records
                 if b"enrollment.promoted" in r.value][0]
    assert promotion.subject == answers[2]["id"]
    sequence = promotion.data.pop("sequence")
    assert promotion.data == {"enrollment_id": answers[2]["id"], "participant_id": people[2],
                              "session_id": session_id, "series_id": None, "gender": "female",
                              "agency": "Federal Investigation Agency"}
    waitlisting = [Event.from_bytes(r.value) for r in records
                   if b"enrollment.waitlisted" in r.value
                   and Event.from_bytes(r.value).subject == answers[2]["id"]]
    assert [w.data["sequence"] < sequence for w in waitlisting] == [True]
    assert not any(b"Ayesha" in r.value for r in records)


def test_withdrawing_twice_gets_409(api, unique):
    client, runtime, config = api
    session_id = str(uuid.uuid4())
    deliver(runtime, SCHEDULED, scheduled(session_id, capacity=1))
    enrollment = _enroll(client, config, _officers(client, config, unique, 1)[0],
                         session_id).get_json()
    path = f"/enrollments/{enrollment['id']}/withdrawal"
    assert client.post(path, headers=auth(config, "coordinator")).status_code == 200
    again = client.post(path, headers=auth(config, "coordinator"))
    assert again.status_code == 409
    assert "withdrawn" in again.get_json()["message"]


def test_capacity_increase_promotes_in_order_and_replay_changes_nothing(api, unique):
    client, runtime, config = api
    session_id = str(uuid.uuid4())
    deliver(runtime, SCHEDULED, scheduled(session_id, capacity=1))
    people = _officers(client, config, unique, 4)
    answers = [_enroll(client, config, p, session_id).get_json() for p in people]
    for _ in range(2):  # the same change delivered twice (two event ids) promotes once
        deliver(runtime, "sessions.session.capacity_changed",
                {"session_id": session_id, "capacity": 3})
    statuses = [client.get(f"/enrollments/{a['id']}", headers=auth(config, "viewer"))
                .get_json()["status"] for a in answers]
    assert statuses == ["confirmed", "confirmed", "confirmed", "waitlisted"]
    seats = client.get(f"/sessions/{session_id}", headers=auth(config, "viewer")).get_json()
    assert (seats["capacity"], seats["seats_left"], seats["confirmed"]) == (3, 0, 3)


def test_cancelled_session_cancels_every_enrollment_and_refuses_new_ones(api, unique):
    client, runtime, config = api
    session_id = str(uuid.uuid4())
    deliver(runtime, SCHEDULED, scheduled(session_id, capacity=1))
    people = _officers(client, config, unique, 3)
    answers = [_enroll(client, config, p, session_id).get_json() for p in people[:2]]
    deliver(runtime, "sessions.session.cancelled",
            {"session_id": session_id, "series_id": None, "reason": "flooding"})
    for answer in answers:
        shown = client.get(f"/enrollments/{answer['id']}", headers=auth(config, "viewer"))
        assert (shown.get_json()["status"], shown.get_json()["reason"]) == ("cancelled",
                                                                            "flooding")
    late = _enroll(client, config, people[2], session_id)
    assert late.status_code == 409
    assert "cancelled" in late.get_json()["message"]


def test_unknown_session_or_participant_gets_422_naming_it_and_writes_nothing(
        api, unique):
    client, runtime, config = api
    person = _officers(client, config, unique, 1)[0]
    response = _enroll(client, config, person, str(uuid.uuid4()))
    assert response.status_code == 422
    assert "session_id" in response.get_json()["errors"]["json"]
    session_id = str(uuid.uuid4())
    deliver(runtime, SCHEDULED, scheduled(session_id, capacity=1))
    nobody = _enroll(client, config, str(uuid.uuid4()), session_id)
    assert nobody.status_code == 422
    assert "participant_id" in nobody.get_json()["errors"]["json"]
    bad = client.post("/enrollments", json={"session_id": session_id, "extra": 1},
                      headers=auth(config, "coordinator"))
    assert bad.status_code == 422
    assert {"participant_id", "extra"} <= set(bad.get_json()["errors"]["json"])
    assert runtime.db["enrollments"].count_documents({}) == 0


def test_duplicate_enrollment_gets_409_with_the_existing_id(api, unique):
    client, runtime, config = api
    session_id = str(uuid.uuid4())
    deliver(runtime, SCHEDULED, scheduled(session_id, capacity=5))
    person = _officers(client, config, unique, 1)[0]
    first = _enroll(client, config, person, session_id).get_json()
    again = _enroll(client, config, person, session_id)
    assert again.status_code == 409
    assert again.get_json()["existing_id"] == first["id"]
    seats = client.get(f"/sessions/{session_id}", headers=auth(config, "viewer")).get_json()
    assert seats["seats_left"] == 4


def test_series_open_to_women_of_listed_agencies_rejects_others_with_the_reason(
        api, unique, kafka_bootstrap):
    client, runtime, config = api
    series_id, session_id = str(uuid.uuid4()), str(uuid.uuid4())
    deliver(runtime, "sessions.series.created",
            series_created(series_id, genders=["female"], agencies=["Punjab Police"]))
    deliver(runtime, SCHEDULED, scheduled(session_id, 10, series_id=series_id, position=1))
    man = register(client, config, f"m{unique}", gender="male", agency="Punjab Police")
    fia = register(client, config, f"f{unique}")
    woman = register(client, config, f"w{unique}", agency="Punjab Police")
    refused = _enroll(client, config, man["id"], session_id).get_json()
    assert refused["status"] == "rejected"
    assert "female" in refused["reason"]
    assert "Punjab Police" in _enroll(client, config, fia["id"], session_id).get_json()["reason"]
    assert _enroll(client, config, woman["id"], session_id).get_json()["status"] == "confirmed"
    seats = client.get(f"/sessions/{session_id}", headers=auth(config, "viewer")).get_json()
    assert seats["seats_left"] == 9
    listed = client.get("/enrollments", query_string={"status": "rejected",
                                                     "session_id": session_id},
                        headers=auth(config, "viewer")).get_json()
    assert {e["participant_id"] for e in listed} == {man["id"], fia["id"]}
    records = read_topic(kafka_bootstrap, runtime.topic,
                         until=lambda r: sum(b"enrollment.rejected" in x.value for x in r) >= 2)
    assert sum(b"enrollment.rejected" in r.value for r in records) == 2


def test_lost_copy_of_an_enrollment_is_restored_by_the_sweep(api, unique):
    client, runtime, config = api
    session_id = str(uuid.uuid4())
    deliver(runtime, SCHEDULED, scheduled(session_id, capacity=1))
    answer = _enroll(client, config, _officers(client, config, unique, 1)[0],
                     session_id).get_json()
    # As if the process died between the seat's write and its copy.
    runtime.db["enrollments"].delete_one({"_id": answer["id"]})
    assert client.get(f"/enrollments/{answer['id']}",
                      headers=auth(config, "viewer")).status_code == 404
    enrollment_sweep.sweep_now(runtime, [session_id])
    shown = client.get(f"/enrollments/{answer['id']}", headers=auth(config, "viewer"))
    assert shown.get_json()["status"] == "confirmed"
    assert shown.get_json()["session_id"] == session_id


def test_the_workers_sweep_restores_a_lost_copy_reading_only_what_changed(api, unique):
    client, runtime, config = api
    session_id = str(uuid.uuid4())
    deliver(runtime, SCHEDULED, scheduled(session_id, capacity=10))
    people = _officers(client, config, unique, 4)
    answers = [_enroll(client, config, p, session_id).get_json() for p in people[:3]]
    now = [1000.0]
    sweep = enrollment_sweep.Sweep(runtime, clock=lambda: now[0])

    def passes(n: int) -> dict:
        done: dict = {}
        for _ in range(n):
            now[0] += 10
            for key, count in sweep.step().items():
                done[key] = done.get(key, 0) + count
        return done

    assert passes(4)["verified"] == 3  # its first start: each copy read once
    now[0] += 5
    seat_log_store._noted.clear()  # later than the 2 s within which a session is noted once
    late = _enroll(client, config, people[3], session_id).get_json()
    runtime.db["enrollments"].delete_one({"_id": late["id"]})  # the API died before its copy

    done = passes(4)

    shown = client.get(f"/enrollments/{late['id']}", headers=auth(config, "viewer"))
    assert shown.get_json()["status"] == "confirmed"
    assert (done["verified"], done["written"]) == (1, 1)  # not the three copies already right
    assert all(client.get(f"/enrollments/{a['id']}", headers=auth(config, "viewer")
                          ).status_code == 200 for a in answers)
    restarted = enrollment_sweep.Sweep(runtime)  # from its stored mark: nothing to look at
    assert restarted.step() == {"looked": 0, "verified": 0, "written": 0}


def test_a_group_enrolled_in_one_request_gets_each_officers_outcome_and_its_events(
        api, unique, kafka_bootstrap):
    client, runtime, config = api
    session_id = str(uuid.uuid4())
    deliver(runtime, SCHEDULED, scheduled(session_id, capacity=2))
    people = _officers(client, config, unique, 3)
    body = {"participant_ids": [*people, "nobody"]}
    path = f"/sessions/{session_id}/enrollments"

    assert client.post(path, json=body, headers=auth(config, "viewer")).status_code == 403
    answer = client.post(path, json=body, headers=auth(config, "coordinator"))

    assert answer.status_code == 200, answer.get_json()
    outcomes = answer.get_json()["outcomes"]
    assert [o["status"] for o in outcomes] == [201, 201, 201, 422]
    assert [o["enrollment"]["status"] for o in outcomes[:3]] == [
        "confirmed", "confirmed", "waitlisted"]
    listed = client.get("/enrollments", query_string={"session_id": session_id},
                        headers=auth(config, "viewer")).get_json()
    assert sorted(e["id"] for e in listed) == sorted(o["enrollment"]["id"] for o in outcomes[:3])
    again = client.post(path, json=body, headers=auth(config, "coordinator")).get_json()
    assert [o["status"] for o in again["outcomes"]] == [409, 409, 409, 422]
    assert [o["existing_id"] for o in again["outcomes"][:3]] == [
        o["enrollment"]["id"] for o in outcomes[:3]]
    records = read_topic(kafka_bootstrap, runtime.topic, settle_s=1.0,
                         until=lambda r: sum(b"registration.enrollment." in x.value
                                             for x in r) >= 3)
    published = [Event.from_bytes(r.value) for r in records
                 if b"registration.enrollment." in r.value and
                 session_id.encode() in r.value]
    assert sorted(e.type.rsplit(".", 1)[1] for e in published) == [
        "confirmed", "confirmed", "waitlisted"]


def test_a_group_for_an_unknown_session_or_too_large_is_refused(api, unique):
    client, _, config = api
    people = _officers(client, config, unique, 1)
    unknown = client.post(f"/sessions/{uuid.uuid4()}/enrollments",
                          json={"participant_ids": people},
                          headers=auth(config, "coordinator"))
    assert unknown.status_code == 404
    too_many = client.post(f"/sessions/{uuid.uuid4()}/enrollments",
                           json={"participant_ids": [f"p{n}" for n in range(501)]},
                           headers=auth(config, "coordinator"))
    assert too_many.status_code == 422
