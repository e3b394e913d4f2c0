"""Calendar entries that land in an officer's calendar: RFC 5545 as clients read it."""

from datetime import UTC, datetime

import icalendar
import pytest

from services.notifications.icalendar import fold, session_event, unfold

SESSION = {"_id": "5b7c", "title": "Coaching on investigative techniques, 1 of 3; TIP, SOM",
           "starts_at": datetime(2021, 3, 25, 4, 0, tzinfo=UTC),
           "ends_at": datetime(2021, 3, 26, 12, 0, tzinfo=UTC), "timezone": "Asia/Karachi",
           "venue": "UNODC Country Office", "city": "Islamabad", "country": "Pakistan"}
STAMP = datetime(2021, 3, 1, 9, 0, tzinfo=UTC)


def _properties(calendar: str) -> dict:
    return dict(line.split(":", 1) for line in unfold(calendar))


def test_invitation_has_stable_uid_utc_times_and_escaped_text():
    calendar = session_event(SESSION, "REQUEST", 0, "no-reply@glo-act.example", STAMP)
    again = session_event(SESSION, "REQUEST", 1, "no-reply@glo-act.example", STAMP)
    found = _properties(calendar)
    assert calendar.startswith("BEGIN:VCALENDAR\r\n") and calendar.endswith("END:VCALENDAR\r\n")
    assert "\n" not in calendar.replace("\r\n", "")
    assert found["METHOD"] == "REQUEST"
    assert found["DTSTART"] == "20210325T040000Z"
    assert found["DTEND"] == "20210326T120000Z"
    assert found["DTSTAMP"] == "20210301T090000Z"
    assert found["SUMMARY"] == "Coaching on investigative techniques\\, 1 of 3\\; TIP\\, SOM"
    assert found["LOCATION"] == "UNODC Country Office\\, Islamabad\\, Pakistan"
    assert found["UID"] == _properties(again)["UID"]
    assert (found["SEQUENCE"], _properties(again)["SEQUENCE"]) == ("0", "1")


def test_cancellation_uses_method_cancel_and_cancelled_status():
    found = _properties(session_event(SESSION, "CANCEL", 2, "x@example.org", STAMP))
    assert (found["METHOD"], found["STATUS"], found["SEQUENCE"]) == ("CANCEL", "CANCELLED", "2")


def test_long_lines_fold_at_75_octets_without_splitting_a_character():
    line = "SUMMARY:" + "کوچنگ سیشن " * 20
    folded = fold(line)
    physical = folded.split("\r\n")
    assert len(physical) > 1
    assert all(len(p.encode()) <= 75 for p in physical)
    assert all(p.startswith(" ") for p in physical[1:])
    assert folded.replace("\r\n ", "") == line


def _parsed_event(title: str, **changes):
    """The VEVENT as a standard parser (the `icalendar` library) reads what we wrote."""
    written = session_event({**SESSION, "title": title, **changes}, "REQUEST", 0,
                            "no-reply@glo-act.example", STAMP)
    calendar = icalendar.Calendar.from_ical(written)
    return written, calendar.walk("VEVENT")


@pytest.mark.parametrize("title", [
    "Coaching\rATTENDEE:mailto:intruder@example.org",
    "Coaching\nATTENDEE:mailto:intruder@example.org",
    "Coaching\r\nATTENDEE:mailto:intruder@example.org",
    "Coaching\n\rATTENDEE:mailto:intruder@example.org",
])
def test_a_line_break_in_a_title_stays_in_the_summary(title):
    written, events = _parsed_event(title)
    assert len(events) == 1
    assert "ATTENDEE" not in events[0]
    assert all(not line.startswith("ATTENDEE") for line in unfold(written))
    # Every break, whatever its kind, is one escaped newline (RFC 5545 3.3.11).
    assert str(events[0]["SUMMARY"]).split("\n")[-1] == "ATTENDEE:mailto:intruder@example.org"
    assert "\r" not in str(events[0]["SUMMARY"])
    # A lone CR or LF is a line break to some clients: only CRLF may end a line.
    assert "\r" not in written.replace("\r\n", "") and "\n" not in written.replace("\r\n", "")


@pytest.mark.parametrize("title", ["a\\b", "a;b", "a,b", "C:\\path\\; x, y",
                                   "ends with a backslash\\"])
def test_backslash_semicolon_and_comma_round_trip(title):
    _, events = _parsed_event(title)
    assert str(events[0]["SUMMARY"]) == title


@pytest.mark.parametrize("title", ["Investigating trafficking in persons " * 6,
                                   "انسانی اسمگلنگ کی تحقیقات پر کوچنگ، پہلا سیشن؛ " * 5])
def test_long_titles_are_folded_at_75_octets_and_read_back_whole(title):
    written, events = _parsed_event(title, venue="دفتر " * 30)
    physical = written.split("\r\n")[:-1]
    assert all(len(line.encode()) <= 75 for line in physical)
    assert any(line.startswith(" ") for line in physical)
    for line in physical:
        line.encode().decode()  # each physical line is whole UTF-8: no character split
    assert str(events[0]["SUMMARY"]) == title
    assert str(events[0]["LOCATION"]).startswith("دفتر دفتر")


def test_other_control_characters_never_reach_the_calendar():
    written, events = _parsed_event("Coaching\x00\x0b\x1b\x7f 1")
    assert str(events[0]["SUMMARY"]) == "Coaching 1"
    assert not any(ch in written for ch in "\x00\x0b\x1b\x7f")
