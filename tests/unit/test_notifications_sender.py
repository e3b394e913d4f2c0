"""The delivery decisions, with a fake channel and a clock set by hand."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from services.notifications.channels.base import Result
from services.notifications.domain.delivery_rules import after_attempt, skip_reason
from services.notifications.settings import load_notification_settings

NOW = datetime(2031, 7, 1, 9, 0, tzinfo=UTC)
CONFIG = replace(load_notification_settings(), max_attempts=4, backoff_s=5, backoff_cap_s=12)


class FakeEmail:
    name = "email"
    address_field = "email"

    def send(self, message):
        return Result(True)


def _reminder(kind="session_reminder_1d", template="session_reminder"):
    return {"kind": kind, "template": template, "channel": "email"}


def test_failures_back_off_exponentially_up_to_a_cap_then_fail():
    outcomes = [after_attempt(False, tries, CONFIG, NOW) for tries in (1, 2, 3, 4)]
    assert outcomes == [("pending", NOW + timedelta(seconds=5)),
                        ("pending", NOW + timedelta(seconds=10)),
                        ("pending", NOW + timedelta(seconds=12)),
                        ("failed", None)]
    assert after_attempt(True, 3, CONFIG, NOW) == ("sent", None)


def test_recipient_without_an_address_for_the_channel_is_skipped():
    assert skip_reason({"email": None, "phone": "+92300"}, FakeEmail(), _reminder()) == \
        "recipient has no email address"
    assert skip_reason(None, FakeEmail(), _reminder()) == "recipient has no email address"
    assert skip_reason({"email": "a@example.org"}, None, _reminder()) == "no channel email"
    assert skip_reason({"email": "a@example.org"}, FakeEmail(), _reminder()) is None


def test_reminders_switched_off_skip_reminders_only():
    recipient = {"email": "a@example.org", "preferences": {"reminders": {"email": False}}}
    assert skip_reason(recipient, FakeEmail(), _reminder()) == \
        "reminders switched off for this channel"
    assert skip_reason(recipient, FakeEmail(), _reminder("session_cancelled",
                                                         "session_cancelled")) is None
