"""What a client sees when registration is sent text, numbers or dates it must not store."""

import pytest

from services.registration.resources.participant_schemas import ParticipantOut
from tests.integration.registration.helpers import auth, profile_of, register


def _errors(response) -> dict:
    assert response.status_code == 422, response.get_json()
    return response.get_json()["errors"]["json"]


@pytest.mark.parametrize(("change", "path"), [
    ({"given_name": "\ud800"}, ("given_name",)),
    ({"family_name": "Khan\x00"}, ("family_name",)),
    ({"rank": "Sub\x85Inspector"}, ("rank",)),
    ({"unit": "Circle\x7f"}, ("unit",)),
    ({"consent": {"policy_version": "2021-01\udfff", "given_at": "2021-03-01T09:00:00Z"}},
     ("consent", "policy_version")),
    ({"duty_station": {"city": "Lahore\r", "country": "Pakistan"}}, ("duty_station", "city")),
])
def test_surrogates_and_control_characters_get_422_naming_the_field(api, unique,
                                                                    change, path):
    client, runtime, config = api
    errors = _errors(client.post("/participants", json=profile_of(unique, **change),
                                 headers=auth(config, "coordinator")))
    for key in path:
        errors = errors[key]
    assert errors
    assert runtime.db["participants"].count_documents({}) == 0


def test_a_control_character_in_a_query_string_gets_422_naming_it(api):
    client, _, config = api
    response = client.get("/participants", query_string={"agency": "Punjab\x00Police"},
                          headers=auth(config, "coordinator"))
    assert response.status_code == 422
    assert "agency" in response.get_json()["errors"]["query"]


@pytest.mark.parametrize(("change", "field"), [
    ({"phone": "+923001234567\n"}, "phone"),
    ({"given_name": "   "}, "given_name"),
    ({"family_name": "\u00a0\t"}, "family_name"),
    ({"consent": {"policy_version": "2021-01", "given_at": "2150-01-01T00:00:00Z"}}, "consent"),
    ({"consent": {"policy_version": "2021-01", "given_at": "1999-12-31T23:59:59Z"}}, "consent"),
])
def test_garbage_in_a_profile_gets_422_naming_the_field(api, unique, change, field):
    client, runtime, config = api
    assert field in _errors(client.post("/participants", json=profile_of(unique, **change),
                                        headers=auth(config, "coordinator")))
    assert runtime.db["participants"].count_documents({}) == 0


@pytest.mark.parametrize(("change", "path"), [
    ({"consent": {"given_at": "2021-04-01T09:00:00Z"}}, ("consent", "policy_version")),
    ({"duty_station": {"city": "Multan"}}, ("duty_station", "country")),
])
def test_a_partial_nested_object_in_a_patch_gets_422_and_the_profile_stays_whole(
        api, unique, change, path):
    client, _, config = api
    created = register(client, config, unique, duty_station={
        "city": "Lahore", "province": "Punjab", "country": "Pakistan"})
    errors = _errors(client.patch(f"/participants/{created['id']}", json=change,
                                  headers=auth(config, "coordinator")))
    assert path[1] in errors[path[0]]
    shown = client.get(f"/participants/{created['id']}",
                       headers=auth(config, "coordinator")).get_json()
    assert ParticipantOut().validate(shown) == {}
    assert shown["consent"]["policy_version"] == "2021-01"
    assert shown["duty_station"]["country"] == "Pakistan"


def test_a_patch_is_checked_against_the_whole_merged_profile(api, unique):
    """A stored profile the schema no longer accepts is named, not silently kept."""
    client, runtime, config = api
    created = register(client, config, unique)
    runtime.db["participants"].update_one({"_id": created["id"]},
                                          {"$unset": {"consent.policy_version": ""}})
    errors = _errors(client.patch(f"/participants/{created['id']}", json={"rank": "Inspector"},
                                  headers=auth(config, "coordinator")))
    assert "policy_version" in errors["consent"]
    assert runtime.db["participants"].find_one({"_id": created["id"]}).get("rank") is None


def test_a_whole_nested_object_in_a_patch_replaces_it(api, unique):
    client, _, config = api
    created = register(client, config, unique)
    consent = {"policy_version": "2020-10", "given_at": "2024-02-01T09:00:00Z"}
    response = client.patch(f"/participants/{created['id']}", json={"consent": consent},
                            headers=auth(config, "coordinator"))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["consent"] == {"policy_version": "2020-10",
                                              "given_at": "2024-02-01T09:00:00+00:00"}
