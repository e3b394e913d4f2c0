"""Full officer profiles, the managed list of agencies, duplicates and updates, on the real DB."""

import uuid

import pytest

from common.envelope import Event
from tests.conftest import read_topic
from tests.integration.registration.helpers import auth, profile_of, register

FULL = {"unit": "Anti-Human Trafficking Circle, Lahore", "rank": "Sub-Inspector",
        "duty_station": {"city": "Lahore", "province": "Punjab", "country": "Pakistan"},
        "service_number": "FIA-98 765"}


def test_full_profile_is_kept_but_the_service_number_only_as_a_keyed_hash(
        api, unique, kafka_bootstrap):
    client, runtime, config = api
    created = register(client, config, unique, **FULL)
    assert created["duty_station"]["province"] == "Punjab"
    assert created["rank"] == "Sub-Inspector"
    assert created["has_service_number"] is True
    assert "service_number" not in created

    stored = runtime.db["participants"].find_one({"_id": created["id"]})
    assert "98765" not in str(stored) and "98 765" not in str(stored)
    records = read_topic(kafka_bootstrap, runtime.topic, until=lambda r: len(r) >= 1)
    assert b"98765" not in records[0].value and b"98 765" not in records[0].value


def test_same_agency_and_service_number_gets_409_with_the_existing_id(api, unique):
    client, runtime, config = api
    first = register(client, config, unique, **FULL)
    again = client.post("/participants",
                        json=profile_of(f"other{unique}", **{**FULL, "service_number": "fia98765"}),
                        headers=auth(config, "coordinator"))
    assert again.status_code == 409
    assert again.get_json()["existing_id"] == first["id"]
    assert "service number" in again.get_json()["message"]
    elsewhere = client.post("/participants",
                            json=profile_of(f"third{unique}", **FULL, agency="Punjab Police"),
                            headers=auth(config, "coordinator"))
    assert elsewhere.status_code == 201
    assert runtime.db["participants"].count_documents({}) == 2


def test_agency_not_on_the_list_gets_422_naming_agency(api, unique):
    client, runtime, config = api
    response = client.post("/participants", json=profile_of(unique, agency="Mars Police"),
                           headers=auth(config, "coordinator"))
    assert response.status_code == 422
    assert "agency" in response.get_json()["errors"]["json"]
    assert runtime.db["participants"].count_documents({}) == 0


def test_agencies_are_managed_by_coordinators_and_retired_ones_refused(api, unique):
    client, _, config = api
    added = client.post("/agencies", json={"name": "Sindh  Police"},
                        headers=auth(config, "coordinator"))
    assert added.status_code == 201
    assert added.get_json()["name"] == "Sindh Police"
    twin = client.post("/agencies", json={"name": "sindh police"},
                       headers=auth(config, "admin"))
    assert twin.status_code == 409 and twin.get_json()["existing_id"] == added.get_json()["id"]
    assert client.post("/agencies", json={"name": "X"},
                       headers=auth(config, "viewer")).status_code == 403
    listed = client.get("/agencies", headers=auth(config, "viewer")).get_json()
    assert [a["name"] for a in listed] == ["Federal Investigation Agency", "Punjab Police",
                                           "Sindh Police"]
    assert register(client, config, unique, agency="sindh police")["agency"] == "Sindh Police"

    retired = client.patch(f"/agencies/{added.get_json()['id']}", json={"active": False},
                           headers=auth(config, "coordinator"))
    assert retired.get_json()["active"] is False
    refused = client.post("/participants", json=profile_of(f"b{unique}", agency="Sindh Police"),
                          headers=auth(config, "coordinator"))
    assert refused.status_code == 422


def test_update_publishes_updated_without_contact_and_the_contact_endpoint_has_it(
        api, unique, kafka_bootstrap):
    client, runtime, config = api
    created = register(client, config, unique)
    changed = client.patch(f"/participants/{created['id']}",
                           json={"phone": "+923339876543", "rank": "Inspector"},
                           headers=auth(config, "coordinator"))
    assert changed.status_code == 200
    assert changed.get_json()["rank"] == "Inspector"
    records = read_topic(kafka_bootstrap, runtime.topic, until=lambda r: len(r) >= 2)
    updated = [Event.from_bytes(r.value) for r in records][-1]
    assert updated.type == "registration.participant.updated"
    assert "contact_sealed" not in updated.data
    contact = client.get(f"/participants/{created['id']}/contact",
                         headers=auth(config, "service"))
    assert contact.get_json()["phone"] == "+923339876543"
    assert b"+923339876543" not in records[-1].value


@pytest.mark.parametrize("change, field", [
    ({"phone": "12345"}, "phone"),
    ({"email": "not-an-email"}, "email"),
    ({"gender": "x"}, "gender"),
    ({"badge": 1}, "badge"),
])
def test_bad_update_gets_422_naming_the_field(api, unique, change, field):
    client, runtime, config = api
    created = register(client, config, unique)
    response = client.patch(f"/participants/{created['id']}", json=change,
                            headers=auth(config, "coordinator"))
    assert response.status_code == 422
    assert field in response.get_json()["errors"]["json"]
    assert runtime.db["participants"].find_one({"_id": created["id"]})["phone"] == "+923001234567"


def test_update_to_a_taken_email_gets_409_and_changes_nothing(api, unique):
    client, runtime, config = api
    first = register(client, config, unique)
    second = register(client, config, f"b{unique}")
    response = client.patch(f"/participants/{second['id']}", json={"email": first["email"]},
                            headers=auth(config, "coordinator"))
    assert response.status_code == 409
    assert response.get_json()["existing_id"] == first["id"]
    assert client.patch(f"/participants/{uuid.uuid4()}", json={"rank": "x"},
                        headers=auth(config, "coordinator")).status_code == 404


def test_list_filters_by_agency_paginates_and_is_pseudonymous_for_viewers(api, unique):
    client, _, config = api
    for n in range(3):
        register(client, config, f"{n}{unique}")
    register(client, config, f"pp{unique}", agency="Punjab Police")
    page = client.get("/participants", query_string={"agency": "Federal Investigation Agency",
                                                     "page_size": 2},
                      headers=auth(config, "viewer"))
    assert page.status_code == 200
    assert len(page.get_json()) == 2
    assert '"total": 3' in page.headers["X-Pagination"]
    assert all(set(p) <= {"id", "gender", "agency", "registered_at"} for p in page.get_json())
    full = client.get("/participants", headers=auth(config, "coordinator")).get_json()
    assert len(full) == 4 and all("email" in p for p in full)


def test_consent_policy_versions_are_listed_in_openapi_and_others_get_422(api, unique):
    client, runtime, config = api
    schema = client.get("/openapi.json").get_json()["components"]["schemas"]["Consent"]
    assert schema["properties"]["policy_version"]["enum"] == ["2020-10", "2021-01"]
    unknown = client.post("/participants", json=profile_of(
        unique, consent={"policy_version": "2019-07", "given_at": "2021-03-01T09:00:00Z"}),
        headers=auth(config, "coordinator"))
    assert unknown.status_code == 422
    assert "policy_version" in unknown.get_json()["errors"]["json"]["consent"]
    assert register(client, config, unique, consent={
        "policy_version": "2020-10", "given_at": "2020-11-02T09:00:00Z"})["id"]
