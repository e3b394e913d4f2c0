"""Every notification kind that docs/events.md promises, triggered through the real pipeline
(sessions and registration over HTTP) and received by the SMTP sink with its
`X-Notification-Kind` header, one by one."""

import re
import uuid
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests

from services.notifications.domain import notification_rules as notifications
from tests.conftest import wait_for
from tests.e2e.pipeline import Pipeline, now

ROOT = Path(__file__).resolve().parents[2]
NOT_SENT = None
# kind -> who receives it in the scenario below (NOT_SENT: promised no more, see docs/events.md)
KINDS = {
    "registration_acknowledged": "registered",
    "enrollment_confirmed": "holder",
    "enrollment_waitlisted": "waiting",
    "enrollment_promoted": "waiting",
    "enrollment_withdrawn": "holder",
    "enrollment_cancelled": NOT_SENT,  # a session's cancellation is told as session_cancelled
    "session_invitation": "cohort member",
    "session_rescheduled": "waiting",
    "session_cancelled": "waiting",
    "session_reminder_1d": "reminded",
    "facilitator_assigned": "facilitator",
    "feedback_requested": "attendee",
    "certificate_issued": "attendee",
}


def _promised() -> set[str]:
    text = (ROOT / "docs" / "events.md").read_text()
    listed = re.search(r"`kind` is one of (.*?)`\.\s", text, flags=re.DOTALL).group(1) + "`"
    listed = re.sub(r"\(e\.g\. [^)]*\)", "", listed)
    return {k.replace("<offset>", "1d") for k in re.findall(r"`([a-z_<>0-9]+)`", listed)}


@pytest.fixture(scope="module")
def scenario(stack, tokens, smtp_inbox, kafka_bootstrap) -> tuple[Pipeline, dict]:
    """One walk through a programme that should send every kind; who is who, by address."""
    p = Pipeline(stack, tokens, smtp_inbox, kafka_bootstrap)
    people = {}
    future = now() + timedelta(days=40)

    # Reminded first: its 1-day reminder falls due about two minutes from now.
    reminder_session = p.session(now() + timedelta(days=1, minutes=2), capacity=5)
    reminded, people["reminded"] = p.officer()
    p.enroll(reminded, reminder_session)

    _, people["registered"] = p.officer()

    seats = p.session(future, capacity=1)
    (holder, people["holder"]), (waiting, people["waiting"]) = p.officer(), p.officer()
    held = p.enroll(holder, seats)
    assert [held["status"], p.enroll(waiting, seats)["status"]] == ["confirmed", "waitlisted"]
    p.received(people["waiting"], "enrollment_waitlisted")
    p.call("registration", "POST", f"/enrollments/{held['id']}/withdrawal")
    p.received(people["waiting"], "enrollment_promoted")
    facilitator, people["facilitator"] = p.facilitator()
    p.call("sessions", "PUT", f"/sessions/{seats}/facilitators/{facilitator}",
           json={"role": "regional_advisor"})
    p.received(people["facilitator"], "facilitator_assigned")
    moved = future + timedelta(days=7)
    p.call("sessions", "POST", f"/sessions/{seats}/reschedule", json={
        "starts_at": moved.isoformat(), "ends_at": (moved + timedelta(hours=8)).isoformat()})
    p.received(people["waiting"], "session_rescheduled")
    p.call("sessions", "POST", f"/sessions/{seats}/cancel", json={"reason": "Venue closed"})

    series = p.call("sessions", "POST", "/series", json={
        "programme_id": p.programme(), "title": f"Series {uuid.uuid4().hex[:6]}",
        "planned_sessions": 2})["id"]
    p.session(future, series_id=series)
    member, people["cohort member"] = p.officer()
    p.call("registration", "POST", f"/series/{series}/cohort", json={"participant_id": member},
           expect=(200, 201, 404))
    p.received(people["cohort member"], "enrollment_confirmed")
    p.session(future + timedelta(days=60), series_id=series)

    held_from = now() - timedelta(days=2)
    held_session = p.session(held_from, capacity=5)
    attendee, people["attendee"] = p.officer()
    p.enroll(attendee, held_session)
    p.received(people["attendee"], "enrollment_confirmed")
    p.call("sessions", "POST", f"/sessions/{held_session}/start")
    # Present on every day it was held: a session outside a series is a course of its own.
    karachi = ZoneInfo("Asia/Karachi")
    days = sorted({held_from.astimezone(karachi).date(),
                   (held_from + timedelta(hours=8)).astimezone(karachi).date()})
    for day in days:  # accepted once sessions' roster has her (from her enrollment's event)
        wait_for(lambda day=day: requests.post(
            f"{stack.urls['sessions']}/sessions/{held_session}/attendance/{day.isoformat()}",
            json={"marks": [{"participant_id": attendee, "status": "present"}]},
            headers=p.headers, timeout=15).status_code == 200, timeout_s=60)
    p.call("sessions", "POST", f"/sessions/{held_session}/complete")
    return p, people


def test_the_table_covers_every_kind_promised_and_every_template():
    assert set(KINDS) == _promised()
    assert set(notifications.TEMPLATES) <= {re.sub(r"_1d$", "", k) for k in KINDS}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_promised_kind_reaches_the_sink_with_its_header(scenario, kind):
    pipeline, people = scenario
    if KINDS[kind] is NOT_SENT:
        pipeline.notifications_caught_up()
        sent = {who: pipeline.kinds(address) for who, address in people.items()}
        assert not [who for who, kinds in sent.items() if kind in kinds], sent
        return
    received = pipeline.received(people[KINDS[kind]], kind, timeout_s=240)
    assert len(received) == 1, [m["Subject"] for m in received]
    assert received[0].get_body(("plain",)).get_content().strip()
