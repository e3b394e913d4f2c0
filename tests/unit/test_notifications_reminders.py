"""Reminder timing and preferences, as plain functions."""

from datetime import UTC, datetime, timedelta

import pytest

from common.config import parse_offsets
from services.notifications.domain import preference_rules as preferences
from services.notifications.domain import reminder_rules as reminders

STARTS = datetime(2021, 7, 20, 4, 0, tzinfo=UTC)


def test_default_offsets_are_seven_days_and_one_day_and_configurable():
    assert parse_offsets("7d,1d") == (timedelta(days=7), timedelta(days=1))
    assert parse_offsets("2h, 3d") == (timedelta(days=3), timedelta(hours=2))
    with pytest.raises(ValueError, match="7x"):
        parse_offsets("7x")


def test_reminder_is_due_its_offset_before_the_start():
    when = reminders.timing(STARTS, 86400, now=STARTS - timedelta(days=3))
    assert when == {"due_at": STARTS - timedelta(days=1), "status": "scheduled",
                    "status_reason": None}


def test_reminder_whose_time_has_passed_when_scheduled_is_skipped():
    when = reminders.timing(STARTS, 7 * 86400, now=STARTS - timedelta(days=3))
    assert when["status"] == "skipped"
    assert when["status_reason"] == reminders.DUE_PASSED


def test_reminder_of_an_unknown_session_waits_for_its_time():
    assert reminders.timing(None, 86400, now=STARTS)["due_at"] is None


def test_labels_name_the_offset():
    assert [reminders.label(o) for o in parse_offsets("7d,36h,90m")] == ["7d", "36h", "90m"]


def _notice(kind, template=None):
    return {"kind": kind, "template": template or kind, "channel": "email"}


def test_reminders_off_stops_reminders_but_not_a_cancellation_notice():
    recipient = {"preferences": {"reminders": {"email": False}}}
    assert preferences.blocks(recipient, _notice("session_reminder_1d", "session_reminder"))
    assert preferences.blocks(recipient, _notice("session_cancelled")) is None
    assert preferences.blocks(recipient, _notice("session_rescheduled")) is None
    assert preferences.blocks({}, _notice("session_reminder_1d", "session_reminder")) is None
