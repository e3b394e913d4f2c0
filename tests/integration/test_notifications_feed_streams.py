"""The whole feed, its filters and what is due, read from numbered streams keyed by `_id`."""

import uuid
from datetime import timedelta

from common.auth import mint
from common.envelope import new_event
from services.notifications.app import create_app
from services.notifications.domain import notification_rules as rules
from services.notifications.stores import (
    claim_store,
    due_store,
    due_sweep,
    notification_store,
    stream_store,
)
from services.notifications.stores.stream_store import GROUP, Streams
from tests.integration.notifications_programme import (
    reads_of_notifications,
    send_due,
    sender_for,
)


def _viewer(programme) -> dict:
    s = programme.runtime.settings
    token = mint(s.jwt_secret, "tester", ["viewer"], 600, s.jwt_audience, s.jwt_issuer)
    return {"Authorization": f"Bearer {token}"}


def test_everyones_feed_pages_newest_first_with_its_total(programme):
    api = create_app(programme.runtime).test_client()
    officers = []
    for n in range(3):
        programme.clock.advance(minutes=1)
        officers.append(programme.participant(f"all{n}")[0])

    first = api.get("/notifications", query_string={"page_size": 2}, headers=_viewer(programme))
    second = api.get("/notifications", query_string={"page_size": 2, "page": 2},
                     headers=_viewer(programme))
    assert first.status_code == second.status_code == 200
    assert '"total": 3' in first.headers["X-Pagination"]
    assert [n["recipient_id"] for n in first.get_json() + second.get_json()] == officers[::-1]
    assert "X-Feed-Looked-Through" not in first.headers


def test_a_status_filter_alone_looks_through_the_newest_and_says_how_many(programme,
                                                                          monkeypatch):
    api = create_app(programme.runtime).test_client()
    session_id = programme.session()
    officer, _ = programme.participant("window")
    programme.enroll(officer, session_id)  # a confirmation and two reminders
    monkeypatch.setattr(notification_store, "FILTER_WINDOW", 3)

    scheduled = api.get("/notifications", query_string={"status": "scheduled"},
                        headers=_viewer(programme))
    assert sorted(n["kind"] for n in scheduled.get_json()) == ["session_reminder_1d",
                                                              "session_reminder_7d"]
    assert scheduled.headers["X-Feed-Looked-Through"] == "3"
    by_kind = api.get("/notifications", query_string={"kind": "registration_acknowledged"},
                      headers=_viewer(programme))
    assert by_kind.get_json() == []  # the acknowledgement is the 4th newest: not looked at
    assert '"total": 0' in by_kind.headers["X-Pagination"]


def test_the_summary_counts_what_is_left_to_send_until_it_is_sent(programme):
    api = create_app(programme.runtime).test_client()
    officer, _ = programme.participant("summary")
    programme.enroll(officer, programme.session())

    before = api.get("/notifications/summary", headers=_viewer(programme)).get_json()
    assert before["statuses"]["pending"] == 2  # the acknowledgement and the confirmation
    assert (before["notifications"], before["complete"]) == (4, True)
    send_due(sender_for(programme))
    after = api.get("/notifications/summary", query_string={"newest": 2},
                    headers=_viewer(programme)).get_json()
    assert (after["statuses"]["pending"], after["looked_through"], after["complete"]) == (
        0, 2, False)


def test_a_stream_reads_by_group_and_stays_whole_with_two_writers(programme):
    streams = Streams(programme.runtime, f"t{uuid.uuid4().hex[:6]}")
    for n in range(GROUP + 5):  # one writer, in small batches: it seals the group it fills
        streams.append_many([("s", {"n": n})])
    stream_store._known.streams.clear()  # another process, which never wrote the stream
    streams.append_many([("s", {"n": n}) for n in range(GROUP + 5, 2 * GROUP + 3)])
    stream_store._known.streams.clear()
    other = Streams(programme.runtime, streams.entries.name.removesuffix("_entries"))
    stream_store._known.put(other._key("s"), 2 * GROUP, {})  # behind: its numbers are taken
    other.append_many([("s", {"n": 2 * GROUP + 3})])

    assert [e["n"] for e in streams.everything("s")] == list(range(2 * GROUP + 4))
    page, total = streams.newest_first("s", GROUP, 3)
    assert ([e["n"] for e in page], total) == ([2 * GROUP + 3 - GROUP - k for k in range(3)],
                                               2 * GROUP + 4)
    assert streams.heads.find_one({"_id": stream_store.group_id("s", 1)}) is not None


def test_a_long_batch_that_lost_the_next_group_to_another_writer_leaves_no_number_free(
        programme):
    streams = Streams(programme.runtime, f"t{uuid.uuid4().hex[:6]}")
    streams.append_many([("s", {"n": n}) for n in range(5)])
    streams.entries.insert_one(  # another writer, between this writer's two inserts
        {"_id": f"s:{GROUP:08d}", "chunk": [{"n": "other"}]})
    streams.append_many([("s", {"n": n}) for n in range(5, 5 + 2 * GROUP)])

    stream_store._known.streams.clear()
    assert [e["n"] for e in streams.everything("s")] == (
        list(range(GROUP)) + ["other"] + list(range(GROUP, 5 + 2 * GROUP)))
    assert streams.length("s") == 2 * GROUP + 6


def test_a_notification_its_worker_never_sent_is_found_by_the_hour_it_fell_due(programme):
    officer, _ = programme.participant("lost")  # stored; the worker died before sending it
    programme.clock.advance(hours=3)
    [found] = claim_store.due(programme.runtime, programme.clock(), settle_s=10)
    assert (found["recipient_id"], found["kind"]) == (officer, "registration_acknowledged")

    send_due(sender_for(programme))
    assert claim_store.due(programme.runtime, programme.clock(), settle_s=10) == []


def test_a_failed_notification_resent_is_found_again_by_the_sweep(programme, monkeypatch):
    officer, _ = programme.participant("resent")
    [acknowledgement] = programme.of(recipient_id=officer)
    programme.runtime.db["notifications"].update_one(
        {"_id": acknowledgement["_id"]}, {"$set": {"status": "failed"}})
    programme.clock.advance(hours=2)
    assert claim_store.due(programme.runtime, programme.clock()) == []

    programme.clock.advance(days=1)
    notification_store.resend(programme.runtime, acknowledgement["_id"], programme.clock())
    programme.clock.advance(minutes=1)
    assert [n["_id"] for n in claim_store.due(programme.runtime, programme.clock())] == [
        acknowledgement["_id"]]
    assert programme.of(recipient_id=officer)[0]["due_at"] <= programme.clock() - timedelta(
        seconds=59)


def test_notifications_waiting_before_the_hours_held_them_are_found_by_the_first_sweep(
        programme):
    cause = new_event("registration.participant.registered", "p", {}, "registration")
    waiting = rules.document(cause, str(uuid.uuid4()), "registration_acknowledged",
                             now=programme.clock() - timedelta(days=2))
    programme.runtime.db["notifications"].insert_one(waiting)  # never numbered in an hour

    assert [n["_id"] for n in claim_store.due(programme.runtime, programme.clock())] == [
        waiting["_id"]]


def test_a_notification_numbered_twice_is_offered_once(programme):
    officer, _ = programme.participant("twice")
    [acknowledgement] = programme.of(recipient_id=officer)
    due_store.record_at_once(programme.runtime, acknowledgement["_id"], programme.clock())
    programme.clock.advance(minutes=1)
    assert [n["_id"] for n in claim_store.due(programme.runtime, programme.clock())] == [
        acknowledgement["_id"]]


def test_a_worker_that_starts_reads_what_is_still_waiting_not_the_hours_every_notification(
        programme, monkeypatch):
    claim_store.due(programme.runtime, programme.clock())  # a stack swept by hours before
    for n in range(12):
        programme.participant(f"sent{n}")
    send_due(sender_for(programme))  # sent, and its sweeps saw them sent
    programme.clock.advance(seconds=1)
    assert claim_store.due(programme.runtime, programme.clock()) == []
    waiting, _ = programme.participant("waiting")
    due_sweep.forget(programme.runtime)  # another worker starts (a second one, or a restart)

    read = reads_of_notifications(monkeypatch)
    programme.clock.advance(minutes=1)
    [found] = claim_store.due(programme.runtime, programme.clock())
    assert found["recipient_id"] == waiting
    assert read == [found["_id"]]  # before: each of the 12 sent within the hour, read again


def test_a_worker_that_starts_still_finds_one_waiting_before_others_that_were_sent(programme):
    claim_store.due(programme.runtime, programme.clock())  # a stack swept by hours before
    held, _ = programme.participant("held")
    [notice] = programme.of(recipient_id=held)
    later = programme.clock() + timedelta(hours=2)  # moved to later, as a reminder would be
    programme.runtime.db["notifications"].update_one(
        {"_id": notice["_id"]}, {"$set": {"status": "scheduled", "due_at": later}})
    for n in range(5):
        programme.participant(f"after{n}")
    send_due(sender_for(programme))
    programme.clock.advance(seconds=1)
    assert claim_store.due(programme.runtime, programme.clock()) == []
    due_sweep.forget(programme.runtime)

    programme.clock.advance(hours=2, minutes=1)
    assert [n["_id"] for n in claim_store.due(programme.runtime, programme.clock())] == [
        notice["_id"]]
