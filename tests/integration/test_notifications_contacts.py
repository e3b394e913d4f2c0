"""Contact details are asked of their owner, never read from events: an owner's outage delays a
notice and never loses it, an update is asked again, an erasure is final."""

from common.topics import REGISTRATION_EVENTS
from tests.integration.notification_programme import (
    inbox,
    sender_for,
)

CONTACT = ("given_name", "family_name", "email", "phone")


def test_an_outage_of_registration_delays_the_notice_however_long_and_never_fails_it(
        programme, own_sink):
    own_sink["start"]()
    participant_id, address = programme.participant("outage")
    programme.directory.down = True
    sender = sender_for(programme, own_sink["smtp_port"])
    for _ in range(10):  # far more rounds than NOTIFICATION_MAX_ATTEMPTS (4 here)
        sender.run_once()
        programme.clock.advance(hours=1)
    [waiting] = programme.of(recipient_id=participant_id)
    assert waiting["status"] == "pending"
    assert "contact not available" in waiting["status_reason"]
    assert inbox(own_sink["inbox"], address) == []

    programme.directory.down = False
    sender.run_once()
    [sent] = programme.of(recipient_id=participant_id)
    assert sent["status"] == "sent"
    assert [m["subject"] for m in inbox(own_sink["inbox"], address)] == [
        "Your registration with the GLO.ACT programme"]


def test_events_carry_no_contact_and_an_update_makes_the_sender_ask_again(
        programme, own_sink):
    own_sink["start"]()
    session_id = programme.session()
    participant_id, address = programme.participant("moved")
    sender = sender_for(programme, own_sink["smtp_port"])
    sender.run_once()
    assert programme.directory.asked == [participant_id]
    new_address = f"new.{address}"
    programme.directory.add(participant_id, given_name="Ayesha", family_name="Khan",
                            email=new_address, phone=None)
    programme.publish(REGISTRATION_EVENTS, "registration.participant.updated", participant_id,
                      {"participant_id": participant_id, "gender": "female",
                       "agency": "Punjab Police", "preferred_language": "en"})
    programme.enroll(participant_id, session_id)
    sender.run_once()
    assert [m["subject"] for m in inbox(own_sink["inbox"], new_address)] == [
        "Your place is confirmed: Coaching 2 of 3"]
    assert programme.directory.asked == [participant_id, participant_id]


def test_an_officer_erased_at_registration_is_skipped_and_nothing_of_her_is_kept(
        programme, own_sink):
    own_sink["start"]()
    participant_id, address = programme.participant("gone")
    programme.directory.erased.add(participant_id)
    sender_for(programme, own_sink["smtp_port"]).run_once()
    [skipped] = programme.of(recipient_id=participant_id)
    assert (skipped["status"], skipped["status_reason"]) == ("skipped", "recipient erased")
    recipient = programme.runtime.db["recipients"].find_one({"_id": participant_id})
    assert recipient["erased"] and not any(recipient.get(k) for k in CONTACT)
    assert inbox(own_sink["inbox"], address) == []


def test_an_update_arriving_after_the_erasure_brings_nothing_back(programme):
    participant_id, _ = programme.participant("late-update")
    programme.publish(REGISTRATION_EVENTS, "registration.participant.erased", participant_id,
                      {"participant_id": participant_id})
    programme.publish(REGISTRATION_EVENTS, "registration.participant.updated", participant_id,
                      {"participant_id": participant_id, "gender": "female",
                       "agency": "Punjab Police", "preferred_language": "en"})
    recipient = programme.runtime.db["recipients"].find_one({"_id": participant_id})
    assert recipient["erased"] is True
    programme.directory.erased.discard(participant_id)  # even were registration to answer
    sender = sender_for(programme)
    sender.run_once()
    assert programme.directory.asked == []
    assert {n["status"] for n in programme.of(recipient_id=participant_id)} <= {
        "cancelled", "skipped"}


def test_an_owner_that_does_not_know_her_yet_delays_the_notice_and_never_fails_it(
        programme, own_sink):
    own_sink["start"]()
    participant_id, address = programme.participant("not-upgraded")
    known = programme.directory.contacts.pop(participant_id)  # e.g. an older registration
    sender = sender_for(programme, own_sink["smtp_port"])
    for _ in range(10):
        sender.run_once()
        programme.clock.advance(hours=1)
    [waiting] = programme.of(recipient_id=participant_id)
    assert (waiting["status"], waiting["status_reason"]) == (
        "pending", "contact unknown to her owner (yet)")
    programme.directory.contacts[participant_id] = known
    sender.run_once()
    assert [m["subject"] for m in inbox(own_sink["inbox"], address)] == [
        "Your registration with the GLO.ACT programme"]


def test_an_update_landing_while_her_contact_is_asked_for_makes_the_next_message_ask_again(
        programme, own_sink):
    own_sink["start"]()
    session_id = programme.session()
    participant_id, address = programme.participant("raced")
    new_address = f"new.{address}"

    def updated_meanwhile(person_id):
        programme.directory.while_asked = None
        programme.directory.add(person_id, given_name="Ayesha", family_name="Khan",
                                email=new_address, phone=None)
        programme.publish(REGISTRATION_EVENTS, "registration.participant.updated", person_id,
                          {"participant_id": person_id, "gender": "female",
                           "agency": "Punjab Police", "preferred_language": "en"})

    programme.directory.while_asked = updated_meanwhile
    sender = sender_for(programme, own_sink["smtp_port"])
    sender.run_once()  # answered with what registration held when asked
    programme.enroll(participant_id, session_id)
    sender.run_once()
    assert [m["subject"] for m in inbox(own_sink["inbox"], new_address)] == [
        "Your place is confirmed: Coaching 2 of 3"]
