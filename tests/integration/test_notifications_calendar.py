"""The calendar file an officer receives, read back by a standard parser from the real SMTP sink."""

import icalendar

from tests.conftest import wait_for
from tests.integration.notification_programme import (
    inbox,
    raw_message,
    sender_for,
)

INJECTED = "Coaching 2 of 3\rATTENDEE;ROLE=CHAIR:mailto:intruder@example.org"


def test_a_carriage_return_in_a_title_puts_no_attendee_in_the_emailed_calendar(
        programme, smtp_inbox):
    session_id = programme.session(title=INJECTED, venue="دفتر، اسلام آباد; " * 4)
    participant_id, address = programme.participant("ics")
    programme.enroll(participant_id, session_id)
    sender_for(programme).run_once()

    [received] = wait_for(lambda: [m for m in inbox(smtp_inbox, address)
                                   if m["subject"].startswith("Your place is confirmed")],
                          timeout_s=30)
    [attachment] = list(raw_message(smtp_inbox, received["id"]).iter_attachments())
    written = attachment.get_content()
    written = written.decode() if isinstance(written, bytes) else written
    assert "\r" not in written.replace("\r\n", "") and "\n" not in written.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in written.split("\r\n"))
    [event] = icalendar.Calendar.from_ical(written).walk("VEVENT")
    assert "ATTENDEE" not in event
    assert str(event["SUMMARY"]) == INJECTED.replace("\r", "\n")
    assert str(event["LOCATION"]).startswith("دفتر، اسلام آباد; دفتر")
