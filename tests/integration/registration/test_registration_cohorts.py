"""Cohorts on the real database: a whole series, a workshop's attendees, future sessions."""

import uuid

from tests.integration.registration.helpers import (
    auth,
    deliver,
    register,
    scheduled,
    series_created,
)

SCHEDULED = "sessions.session.scheduled"


def _statuses(client, config, participant_id):
    found = client.get("/enrollments", query_string={"participant_id": participant_id},
                       headers=auth(config, "viewer")).get_json()
    return {e["session_id"]: e["status"] for e in found}


def test_joining_a_series_enrolls_in_its_sessions_and_in_the_next_one_scheduled(
        api, unique):
    client, runtime, config = api
    series_id, first, second, third = (str(uuid.uuid4()) for _ in range(4))
    deliver(runtime, "sessions.series.created", series_created(series_id, genders=["female"]))
    deliver(runtime, SCHEDULED, scheduled(first, 24, series_id, 1))
    deliver(runtime, SCHEDULED, scheduled(second, 24, series_id, 2))
    officer = register(client, config, unique)
    joined = client.post(f"/series/{series_id}/cohort", json={"participant_id": officer["id"]},
                         headers=auth(config, "coordinator"))
    assert joined.status_code == 200
    assert [e["session_id"] for e in joined.get_json()["enrollments"]] == [first, second]
    assert _statuses(client, config, officer["id"]) == {first: "confirmed", second: "confirmed"}

    again = client.post(f"/series/{series_id}/cohort", json={"participant_id": officer["id"]},
                        headers=auth(config, "coordinator"))
    assert again.status_code == 200  # already in: nothing doubles
    assert runtime.db["enrollments"].count_documents({}) == 2

    deliver(runtime, SCHEDULED, scheduled(third, 24, series_id, 3))
    assert _statuses(client, config, officer["id"])[third] == "confirmed"
    # The same event redelivered under a new id (a replay by the producer) enrolls nobody twice.
    deliver(runtime, SCHEDULED, scheduled(third, 24, series_id, 3))
    assert runtime.db["enrollments"].count_documents({"session_id": third}) == 1
    cohort = client.get(f"/series/{series_id}", headers=auth(config, "viewer")).get_json()
    assert cohort["cohort"] == [officer["id"]]


def test_withdrawn_member_is_not_reenrolled_by_a_replayed_schedule(api, unique):
    client, runtime, config = api
    series_id, session_id = str(uuid.uuid4()), str(uuid.uuid4())
    deliver(runtime, "sessions.series.created", series_created(series_id))
    deliver(runtime, SCHEDULED, scheduled(session_id, 5, series_id, 1))
    officer = register(client, config, unique)
    joined = client.post(f"/series/{series_id}/cohort", json={"participant_id": officer["id"]},
                         headers=auth(config, "coordinator")).get_json()
    client.post(f"/enrollments/{joined['enrollments'][0]['id']}/withdrawal",
                headers=auth(config, "coordinator"))
    deliver(runtime, SCHEDULED, scheduled(session_id, 5, series_id, 1))
    assert _statuses(client, config, officer["id"]) == {session_id: "withdrawn"}


def test_ineligible_officer_cannot_join_the_series(api, unique):
    client, runtime, config = api
    series_id = str(uuid.uuid4())
    deliver(runtime, "sessions.series.created", series_created(series_id, genders=["female"]))
    officer = register(client, config, unique, gender="male")
    refused = client.post(f"/series/{series_id}/cohort", json={"participant_id": officer["id"]},
                          headers=auth(config, "coordinator"))
    assert refused.status_code == 409
    assert "female" in refused.get_json()["message"]
    shown = client.get(f"/series/{series_id}", headers=auth(config, "viewer")).get_json()
    assert shown["cohort"] == []
    unknown = client.post(f"/series/{uuid.uuid4()}/cohort",
                          json={"participant_id": officer["id"]},
                          headers=auth(config, "coordinator"))
    assert unknown.status_code == 404


def test_workshop_attendees_or_confirmed_join_the_series_in_one_call(api, unique):
    client, runtime, config = api
    workshop, series_id, coaching = (str(uuid.uuid4()) for _ in range(3))
    deliver(runtime, SCHEDULED, {**scheduled(workshop, 30), "kind": "training_workshop"})
    officers = [register(client, config, f"{n}{unique}")["id"] for n in range(3)]
    for officer in officers:
        client.post("/enrollments", json={"participant_id": officer, "session_id": workshop},
                    headers=auth(config, "coordinator"))
    for officer, status in zip(officers, ("present", "late", "absent"), strict=True):
        deliver(runtime, "sessions.attendance.recorded",
                {"session_id": workshop, "participant_id": officer, "day": "2020-11-02",
                 "status": status})
    deliver(runtime, "sessions.session.completed", {"session_id": workshop, "series_id": None})
    deliver(runtime, "sessions.series.created", series_created(series_id, origin=workshop))
    deliver(runtime, SCHEDULED, scheduled(coaching, 24, series_id, 1))

    result = client.post(f"/series/{series_id}/cohort/from-session",
                         json={"session_id": workshop, "include": "attendees"},
                         headers=auth(config, "coordinator"))
    assert result.status_code == 200
    assert sorted(result.get_json()["joined"]) == sorted(officers[:2])
    assert runtime.db["enrollments"].count_documents({"session_id": coaching}) == 2

    everyone = client.post(f"/series/{series_id}/cohort/from-session",
                           json={"session_id": workshop, "include": "confirmed"},
                           headers=auth(config, "coordinator")).get_json()
    assert sorted(everyone["joined"]) == sorted(officers)
    assert runtime.db["enrollments"].count_documents({"session_id": coaching}) == 3

    bad = client.post(f"/series/{series_id}/cohort/from-session",
                      json={"session_id": str(uuid.uuid4()), "include": "everyone"},
                      headers=auth(config, "coordinator"))
    assert bad.status_code == 422
    assert "include" in bad.get_json()["errors"]["json"]
    unknown = client.post(f"/series/{series_id}/cohort/from-session",
                          json={"session_id": str(uuid.uuid4()), "include": "attendees"},
                          headers=auth(config, "coordinator"))
    assert unknown.status_code == 422
    assert "session_id" in unknown.get_json()["errors"]["json"]
