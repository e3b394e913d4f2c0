"""Officers registered for the record (an import with `acknowledge: false`), on the real
database and SMTP: no acknowledgement, and everything later reaches them as it reaches anyone."""

import uuid

from common.topics import REGISTRATION_EVENTS
from tests.conftest import wait_for
from tests.integration.notifications_programme import (
    SHARED_INBOX,
    inbox,
    send_due,
    sender_for,
)

ACKNOWLEDGEMENT = "Your registration with the GLO.ACT programme"
CONFIRMATION = "Your place is confirmed: Coaching 2 of 3"


def _registered(programme, tag: str, **extra) -> tuple[str, str]:
    """An officer as registration announces her, ``extra`` added to the event's data."""
    participant_id = str(uuid.uuid4())
    address = f"officer.{tag}.{participant_id[:8]}@example.org"
    programme.directory.add(participant_id, given_name="Sana", family_name="Iqbal",
                            email=address, phone=None)
    programme.publish(REGISTRATION_EVENTS, "registration.participant.registered",
                      participant_id, {"participant_id": participant_id, "gender": "female",
                                       "agency": "Federal Investigation Agency",
                                       "preferred_language": "en", "initials": "S. I.",
                                       **extra})
    return participant_id, address


def _subjects(address: str) -> list[str]:
    return sorted(m["subject"] for m in inbox(SHARED_INBOX, address))


def test_an_officer_registered_for_the_record_gets_no_acknowledgement_but_her_confirmation(
        programme):
    participant_id, address = _registered(programme, "record", acknowledge=False)
    sender = sender_for(programme)
    send_due(sender)
    assert programme.of(recipient_id=participant_id) == []

    session_id = programme.session()
    programme.enroll(participant_id, session_id)
    send_due(sender)

    assert wait_for(lambda: _subjects(address)) == [CONFIRMATION]


def test_an_officer_registered_as_usual_is_still_acknowledged(programme):
    explicit, told = _registered(programme, "told", acknowledge=True)
    older, told_before = _registered(programme, "older")  # an event from before the field
    send_due(sender_for(programme))

    for address in (told, told_before):
        assert wait_for(lambda a=address: _subjects(a)) == [ACKNOWLEDGEMENT]
    assert [n["kind"] for n in programme.of(recipient_id=explicit)] == [
        "registration_acknowledged"]
    assert [n["kind"] for n in programme.of(recipient_id=older)] == [
        "registration_acknowledged"]
