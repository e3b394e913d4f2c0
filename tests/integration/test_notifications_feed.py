"""The feed and the fan-outs read documents keyed by `_id`: still right with several workers."""

import threading
import uuid
from datetime import timedelta

import pytest
from pymongo.errors import AutoReconnect

from common.auth import mint
from common.dispatch import DependencyUnavailableError
from common.envelope import new_event
from common.topics import REGISTRATION_EVENTS
from services.notifications.app import create_app
from services.notifications.stores import reminder_store
from services.notifications.stores.stream_store import Streams
from tests.integration.notifications_programme import KARACHI_START, Programme


def _viewer(programme) -> dict:
    s = programme.runtime.settings
    token = mint(s.jwt_secret, "tester", ["viewer"], 600, s.jwt_audience, s.jwt_issuer)
    return {"Authorization": f"Bearer {token}"}


def test_a_recipients_feed_pages_newest_first_with_its_total(programme):
    api = create_app(programme.runtime).test_client()
    participant_id, _ = programme.participant("pages")
    sessions = [programme.session() for _ in range(3)]
    for session_id in sessions:
        programme.clock.advance(minutes=1)
        programme.enroll(participant_id, session_id)

    first = api.get("/notifications", query_string={"recipient_id": participant_id,
                                                    "page_size": 4}, headers=_viewer(programme))
    second = api.get("/notifications", query_string={"recipient_id": participant_id,
                                                     "page_size": 4, "page": 2},
                     headers=_viewer(programme))
    assert first.status_code == second.status_code == 200
    assert '"total": 10' in first.headers["X-Pagination"]  # 1 acknowledgement + 3 x 3
    shown = first.get_json() + second.get_json()
    assert [n["session_id"] for n in shown[:3]] == [sessions[2]] * 3
    assert [n["created_at"] for n in shown] == sorted((n["created_at"] for n in shown),
                                                     reverse=True)
    assert len({n["id"] for n in shown}) == 8


def test_officers_enrolled_by_two_workers_at_once_are_all_told_of_the_reschedule(programme):
    session_id = programme.session()
    officers = [programme.participant(f"two{i}")[0] for i in range(40)]
    other = Programme(programme.runtime, programme.clock)  # a second worker, same database
    halves = [(programme, officers[::2]), (other, officers[1::2])]
    threads = [threading.Thread(target=lambda p=p, ids=ids: [p.enroll(i, session_id)
                                                             for i in ids])
               for p, ids in halves]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    programme.reschedule(session_id, KARACHI_START, KARACHI_START + timedelta(days=7))
    told = programme.of(session_id=session_id, kind="session_rescheduled")
    assert sorted(n["recipient_id"] for n in told) == sorted(officers)


def test_reminders_are_found_by_the_hour_they_fall_due_and_follow_a_move(programme):
    session_id = programme.session()
    participant_id, _ = programme.participant("due")
    programme.enroll(participant_id, session_id)
    day_before = KARACHI_START - timedelta(days=1)
    [due] = reminder_store.due(programme.runtime, day_before - timedelta(hours=1), day_before)
    assert (due["recipient_id"], due["kind"]) == (participant_id, "session_reminder_1d")

    later = KARACHI_START + timedelta(days=7)
    programme.reschedule(session_id, KARACHI_START, later)
    assert reminder_store.due(programme.runtime, day_before - timedelta(hours=1),
                              day_before) == []
    moved = reminder_store.due(programme.runtime, later - timedelta(days=1, hours=1),
                               later - timedelta(days=1))
    assert [n["_id"] for n in moved] == [due["_id"]]


def test_a_feed_by_recipient_and_kind_shows_only_that_kind(programme):
    api = create_app(programme.runtime).test_client()
    participant_id, _ = programme.participant("kind")
    programme.enroll(participant_id, programme.session())
    shown = api.get("/notifications", query_string={"recipient_id": participant_id,
                                                    "kind": "session_reminder_7d"},
                    headers=_viewer(programme)).get_json()
    assert [n["kind"] for n in shown] == ["session_reminder_7d"]
    assert api.get("/notifications", query_string={"recipient_id": str(uuid.uuid4())},
                   headers=_viewer(programme)).get_json() == []


def test_notices_stored_just_before_an_outage_are_in_the_feed_once_their_cause_comes_again(
        programme, monkeypatch):
    api = create_app(programme.runtime).test_client()
    session_id = programme.session()
    participant_id, _ = programme.participant("outage-feed")
    append_many, failed = Streams.append_many, []

    def database_gone_once(self, appended):
        appended = list(appended)
        if not failed and any(s.startswith("recipient:") for s, _ in appended):
            failed.append(True)
            raise AutoReconnect("the database went away")
        return append_many(self, appended)

    monkeypatch.setattr(Streams, "append_many", database_gone_once)
    enrollment_id = str(uuid.uuid4())
    confirmed = new_event("registration.enrollment.confirmed", enrollment_id, {
        "enrollment_id": enrollment_id, "participant_id": participant_id,
        "session_id": session_id}, "registration")
    with pytest.raises(DependencyUnavailableError):
        programme.deliver(REGISTRATION_EVENTS, confirmed)
    programme.deliver(REGISTRATION_EVENTS, confirmed)  # the consumer's retry

    shown = api.get("/notifications", query_string={"recipient_id": participant_id},
                    headers=_viewer(programme)).get_json()
    assert sorted(n["kind"] for n in shown) == [
        "enrollment_confirmed", "registration_acknowledged", "session_reminder_1d",
        "session_reminder_7d"]
