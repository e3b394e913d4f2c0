"""The delivery decisions, with a fake channel and a clock set by hand."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from common.config import load_notification_settings
from services.notifications.channels.base import Result
from services.notifications.domain.delivery_rules import (
    after_attempt,
    claim_round,
    skip_reason,
    surely_ours,
    takeable,
    unchanged,
    wait_until,
)

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


def _sending(**fields):
    return {"status": "sending", "generation": 2, "claimed_until": NOW + timedelta(seconds=30),
            **fields}


def test_a_notification_being_sent_is_taken_only_when_its_lease_ran_out_or_its_holder_died():
    assert not takeable(_sending(), NOW, holder_dead=False)
    assert takeable(_sending(), NOW, holder_dead=True)
    assert takeable(_sending(claimed_until=NOW), NOW, holder_dead=False)
    assert takeable({"status": "pending"}, NOW, holder_dead=False)


def test_a_lease_taken_over_is_claimed_in_the_next_round():
    assert claim_round(_sending()) == 3
    assert claim_round({"status": "pending", "generation": 2}) == 2
    assert claim_round({"status": "scheduled"}) == 0


def test_a_candidate_cancelled_sent_or_moved_later_since_it_was_offered_is_not_taken():
    offered = {"status": "pending", "generation": 1, "due_at": NOW}
    assert unchanged(dict(offered), offered, NOW)
    assert not unchanged({**offered, "status": "cancelled"}, offered, NOW)
    assert not unchanged({**offered, "status": "sent"}, offered, NOW)
    assert not unchanged({**offered, "generation": 2}, offered, NOW)  # retried meanwhile
    assert not unchanged({**offered, "due_at": NOW + timedelta(days=7)}, offered, NOW)
    assert not unchanged(None, offered, NOW)


def test_a_claim_is_surely_ours_only_in_the_first_half_of_its_lease():
    lease_s = 120
    assert surely_ours(NOW + timedelta(seconds=61), lease_s, NOW)
    assert not surely_ours(NOW + timedelta(seconds=59), lease_s, NOW)


def test_waiting_for_a_contact_backs_off_without_using_up_tries():
    assert [wait_until(n, CONFIG, NOW) - NOW for n in (1, 2, 9)] == [
        timedelta(seconds=5), timedelta(seconds=10), timedelta(seconds=12)]
