"""Calendar entries that land in an officer's calendar: RFC 5545 as clients read it."""

from datetime import UTC, datetime

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
