"""Who may be enrolled by one request: her profile says so, and her erasure always wins, even
over a PATCH that wrote her profile back over the scrub a moment ago."""

from datetime import UTC, datetime, timedelta

import pytest

from common.persistence import by_id
from services.registration.domain.errors import ErasedParticipantError, InvalidFieldError
from services.registration.stores import participant_store, seat_store
from tests.unit import registration_helpers as world


@pytest.fixture
def runtime():
    return world.registration()


def test_an_officer_registration_knows_is_enrolled(runtime):
    session_id = world.schedule(runtime, capacity=5)
    officer = world.officer(runtime, "Ayesha")
    assert seat_store.enroll_named(runtime, session_id, officer["_id"])["status"] == "confirmed"


def test_an_unknown_officer_is_refused_naming_the_field(runtime):
    session_id = world.schedule(runtime, capacity=5)
    with pytest.raises(InvalidFieldError) as refused:
        seat_store.enroll_named(runtime, session_id, "nobody")
    assert refused.value.field == "participant_id"


def test_an_erased_officer_is_refused(runtime):
    session_id = world.schedule(runtime, capacity=5)
    officer = world.officer(runtime, "Fatima")
    participant_store.tombstone(runtime, officer["_id"])
    participant_store.scrub(runtime, officer["_id"])
    with pytest.raises(ErasedParticipantError):
        seat_store.enroll_named(runtime, session_id, officer["_id"])


def test_an_erasure_a_racing_patch_wrote_over_a_moment_ago_still_refuses_her(runtime):
    session_id = world.schedule(runtime, capacity=5)
    officer = world.officer(runtime, "Sana")
    participant_store.tombstone(runtime, officer["_id"])
    # The PATCH's read-modify-write landed after the scrub: her fields are back, no `erased_at`,
    # until that PATCH finds her tombstone and scrubs again.
    by_id.set_fields(runtime.db[participant_store.COLLECTION], officer["_id"],
                     {"updated_at": datetime.now(UTC) - timedelta(seconds=2)})
    with pytest.raises(ErasedParticipantError):
        seat_store.enroll_named(runtime, session_id, officer["_id"])


def test_an_officer_whose_erasure_has_begun_but_not_scrubbed_yet_is_refused(runtime):
    # The erasure claimed her tombstone, then its scrub failed (the database went away): the
    # coordinator was told 503 and will retry. Meanwhile nobody may enroll her.
    session_id = world.schedule(runtime, capacity=5)
    officer = world.officer(runtime, "Zainab")
    by_id.set_fields(runtime.db[participant_store.COLLECTION], officer["_id"],
                     {"updated_at": datetime.now(UTC) - timedelta(hours=2)})
    participant_store.tombstone(runtime, officer["_id"])
    with pytest.raises(ErasedParticipantError):
        seat_store.enroll_named(runtime, session_id, officer["_id"])
