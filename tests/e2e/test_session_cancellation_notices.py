"""A cancelled session, through the real pipeline: each enrolled officer (confirmed or on the
waiting list) and each facilitator gets exactly one "session cancelled" notice, with the
coordinator's reason, and no "your enrollment was cancelled" besides."""

from datetime import timedelta

import pytest

from tests.e2e.pipeline import Pipeline, now

REASON = "The training hall is closed for repairs"


@pytest.fixture
def pipeline(stack, tokens, smtp_inbox, kafka_bootstrap):
    return Pipeline(stack, tokens, smtp_inbox, kafka_bootstrap)


def test_each_enrolled_officer_gets_one_session_cancelled_notice_with_the_reason(pipeline):
    session_id = pipeline.session(now() + timedelta(days=40), capacity=2)
    officers = [pipeline.officer() for _ in range(3)]
    answers = [pipeline.enroll(pid, session_id)["status"] for pid, _ in officers]
    assert answers == ["confirmed", "confirmed", "waitlisted"]
    facilitator_id, facilitator = pipeline.facilitator()
    pipeline.call("sessions", "PUT", f"/sessions/{session_id}/facilitators/{facilitator_id}",
                  json={"role": "regional_advisor"})
    for (_, address), kind in zip(officers, ["enrollment_confirmed", "enrollment_confirmed",
                                             "enrollment_waitlisted"], strict=True):
        pipeline.received(address, kind)
    pipeline.received(facilitator, "facilitator_assigned")

    pipeline.call("sessions", "POST", f"/sessions/{session_id}/cancel", json={"reason": REASON})

    pipeline.received(facilitator, "session_cancelled")
    for _, address in officers:
        pipeline.received(address, "session_cancelled")
    pipeline.notifications_caught_up()  # registration's cancellations too, not only the first
    pipeline.all_sent(session_id)
    for _, address in [*officers, (facilitator_id, facilitator)]:
        cancellations = [m for m in pipeline.mail(address)
                         if "cancel" in str(m["X-Notification-Kind"])]
        assert [str(m["X-Notification-Kind"]) for m in cancellations] == ["session_cancelled"]
        text = cancellations[0].get_body(("plain",)).get_content()
        assert f"Reason: {REASON}" in text, text
        assert cancellations[0]["Subject"].startswith("Cancelled: ")
