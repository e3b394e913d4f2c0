"""Export and erasure of an officer's data, on the real database and broker."""

import uuid

from common.envelope import Event
from services.registration.stores import participant_store, privacy_store
from tests.conftest import read_topic
from tests.integration.registration.helpers import auth, deliver, profile_of, register, scheduled


def test_export_holds_profile_enrollments_and_attendance(api, unique):
    client, runtime, config = api
    session_id = str(uuid.uuid4())
    deliver(runtime, "sessions.session.scheduled", scheduled(session_id, 5))
    officer = register(client, config, unique, service_number="PP-4411")
    client.post("/enrollments", json={"participant_id": officer["id"], "session_id": session_id},
                headers=auth(config, "coordinator"))
    deliver(runtime, "sessions.attendance.recorded",
            {"session_id": session_id, "participant_id": officer["id"], "day": "2021-03-25",
             "status": "present"})
    exported = client.get(f"/participants/{officer['id']}/export",
                          headers=auth(config, "coordinator"))
    assert exported.status_code == 200
    body = exported.get_json()
    assert body["participant"]["email"] == officer["email"]
    assert [e["status"] for e in body["enrollments"]] == ["confirmed"]
    assert body["attended_sessions"] == [session_id]
    assert "4411" not in exported.get_data(as_text=True)
    assert client.get(f"/participants/{officer['id']}/export",
                      headers=auth(config, "viewer")).status_code == 403


def test_erasure_scrubs_personal_fields_keeps_gender_and_agency_and_is_announced(
        api, unique, kafka_bootstrap):
    client, runtime, config = api
    headers = {**auth(config, "coordinator"), "Idempotency-Key": f"k{unique}"}
    officer = client.post("/participants", json=profile_of(unique), headers=headers).get_json()
    erased = client.post(f"/participants/{officer['id']}/erasure",
                         headers=auth(config, "coordinator"))
    assert erased.status_code == 200
    assert {k for k in erased.get_json() if erased.get_json()[k] is not None} >= {
        "gender", "agency", "erased_at"}
    everything = str(list(runtime.db["participants"].find({}))) + str(
        list(runtime.db["idempotency_keys"].find({})))
    for personal in ("Ayesha", "Khan", officer["email"], "+923001234567"):
        assert personal not in everything
    shown = client.get(f"/participants/{officer['id']}", headers=auth(config, "coordinator"))
    assert (shown.get_json()["gender"], shown.get_json()["agency"]) == (
        "female", "Federal Investigation Agency")

    records = read_topic(kafka_bootstrap, runtime.topic,
                         until=lambda r: any(b"participant.erased" in x.value for x in r))
    erasure = [Event.from_bytes(r.value) for r in records if b"participant.erased" in r.value]
    assert [e.data for e in erasure] == [{"participant_id": officer["id"]}]

    again = client.post("/participants", json=profile_of(unique), headers=auth(config,
                                                                            "coordinator"))
    assert again.status_code == 201  # her email is free again: nothing of it is kept
    edit = client.patch(f"/participants/{officer['id']}", json={"rank": "x"},
                        headers=auth(config, "coordinator"))
    assert edit.status_code == 409


def test_erased_officer_cannot_be_enrolled(api, unique):
    client, runtime, config = api
    session_id = str(uuid.uuid4())
    deliver(runtime, "sessions.session.scheduled", scheduled(session_id, 5))
    officer = register(client, config, unique)
    client.post(f"/participants/{officer['id']}/erasure", headers=auth(config, "coordinator"))
    refused = client.post("/enrollments", json={"participant_id": officer["id"],
                                                "session_id": session_id},
                          headers=auth(config, "coordinator"))
    assert refused.status_code == 409
    assert "erased" in refused.get_json()["message"]


def test_a_retried_registration_after_erasure_gets_410_not_a_new_officer(api, unique):
    client, runtime, config = api
    headers = {**auth(config, "coordinator"), "Idempotency-Key": f"register-{unique}"}
    officer = client.post("/participants", json=profile_of(unique), headers=headers)
    assert officer.status_code == 201
    assert client.post(f"/participants/{officer.get_json()['id']}/erasure",
                       headers=auth(config, "coordinator")).status_code == 200

    retried = client.post("/participants", json=profile_of(unique), headers=headers)
    assert retried.status_code == 410, retried.get_json()
    assert "erased" in retried.get_json()["message"]
    assert runtime.db["participants"].count_documents({}) == 1
    kept = str(list(runtime.db["idempotency_keys"].find({})))
    for personal in ("Ayesha", "Khan", profile_of(unique)["email"], "+923001234567"):
        assert personal not in kept


def test_the_contact_of_an_erased_officer_is_gone(api, unique):
    client, runtime, config = api
    officer = register(client, config, unique)
    path = f"/participants/{officer['id']}/contact"
    assert client.get(path, headers=auth(config, "service")).status_code == 200
    client.post(f"/participants/{officer['id']}/erasure", headers=auth(config, "coordinator"))
    gone = client.get(path, headers=auth(config, "service"))
    assert gone.status_code == 410
    assert officer["email"] not in gone.get_data(as_text=True)


def test_an_answer_stored_just_after_her_erasure_keeps_nothing_of_her(
        api, unique, monkeypatch):
    client, runtime, config = api
    officer = register(client, config, unique)
    real_update = participant_store.update

    def update_then_erased(runtime_, participant_id, changes, *checks):
        # The erasure lands after the PATCH wrote and checked, before its answer is stored.
        stored = real_update(runtime_, participant_id, changes, *checks)
        privacy_store.erase(runtime_, participant_id)
        return stored

    monkeypatch.setattr(participant_store, "update", update_then_erased)
    headers = {**auth(config, "coordinator"), "Idempotency-Key": f"patch-{unique}"}
    answered = client.patch(f"/participants/{officer['id']}", json={"rank": "Inspector"},
                            headers=headers)
    assert answered.status_code == 200  # it was written before the erasure
    kept = str(list(runtime.db["idempotency_keys"].find({})))
    for personal in ("Ayesha", "Khan", officer["email"], "+923001234567"):
        assert personal not in kept
    replayed = client.patch(f"/participants/{officer['id']}", json={"rank": "Inspector"},
                            headers=headers)
    assert replayed.status_code == 410
