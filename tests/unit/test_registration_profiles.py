"""Profile rules without infrastructure: the keyed service number and the HTTP schemas."""

import pytest
from marshmallow import ValidationError

from services.registration import events
from services.registration.resources.participant_schemas import ParticipantIn, ParticipantPatch
from services.registration.stores import participant_store

PROFILE = {"given_name": "Ayesha", "family_name": "Khan", "gender": "female",
           "agency": "Punjab Police", "email": "a@example.org",
           "consent": {"policy_version": "2021-01", "given_at": "2021-03-01T09:00:00Z"}}


def test_service_number_hash_ignores_spacing_and_case_but_not_the_agency():
    one = participant_store.service_number_key("Punjab Police", "pp-12 34")
    assert one == participant_store.service_number_key("punjab  police", "PP1234")
    assert one != participant_store.service_number_key("Federal Investigation Agency", "PP1234")
    assert "1234" not in one and len(one) == 64


def test_service_number_hash_depends_on_the_key(monkeypatch):
    before = participant_store.service_number_key("Punjab Police", "PP1234")
    monkeypatch.setenv("SERVICE_NUMBER_HASH_KEY", "another-key")
    assert participant_store.service_number_key("Punjab Police", "PP1234") != before


def test_profile_without_consent_is_refused_naming_consent():
    with pytest.raises(ValidationError) as refused:
        ParticipantIn().load({k: v for k, v in PROFILE.items() if k != "consent"})
    assert "consent" in refused.value.messages


def test_duty_station_needs_city_and_country():
    with pytest.raises(ValidationError) as refused:
        ParticipantIn().load({**PROFILE, "duty_station": {"province": "Punjab"}})
    assert set(refused.value.messages["duty_station"]) == {"city", "country"}


def test_empty_patch_is_refused_and_a_partial_one_adds_no_defaults():
    with pytest.raises(ValidationError):
        ParticipantPatch(partial=True).load({})
    assert ParticipantPatch(partial=True).load({"rank": "Inspector"}) == {"rank": "Inspector"}


def test_enrollment_events_carry_no_more_than_the_catalogue_says():
    entry = {"enrollment_id": "e1", "participant_id": "p1", "gender": "female",
             "agency": "Punjab Police", "given_name": "Ayesha"}
    confirmed = events.enrollment_data(events.ENROLLMENT_CONFIRMED, entry, "s1", None)
    assert confirmed == {"enrollment_id": "e1", "participant_id": "p1", "session_id": "s1",
                         "series_id": None, "gender": "female", "agency": "Punjab Police"}
    waitlisted = events.enrollment_data(events.ENROLLMENT_WAITLISTED, entry, "s1", "x",
                                        position=2)
    assert set(waitlisted) == {"enrollment_id", "participant_id", "session_id", "series_id",
                               "position"}
