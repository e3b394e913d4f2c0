"""A feed page read through the process's memory (`stream_memory`, `shown_notifications`)
still shows every notification as it is now, and what was added since the last page."""

import uuid
from datetime import datetime, timedelta
from types import SimpleNamespace

from pymongo.errors import AutoReconnect

from common.auth import mint
from common.topics import SESSIONS_EVENTS
from services.notifications.app import create_app
from services.notifications.stores import (
    notification_store,
    shown_notifications,
    stream_memory,
    stream_store,
)
from services.notifications.stores.stream_store import GROUP, Streams
from tests.integration.notifications_programme import KARACHI_START, send_due, sender_for


def _coordinator(programme) -> dict:
    s = programme.runtime.settings
    token = mint(s.jwt_secret, "tester", ["coordinator"], 600, s.jwt_audience, s.jwt_issuer)
    return {"Authorization": f"Bearer {token}"}


def _page(api, programme, **query) -> list[dict]:
    answer = api.get("/notifications", query_string=query, headers=_coordinator(programme))
    assert answer.status_code == 200
    return answer.get_json()


def test_a_page_read_again_shows_each_notice_as_it_is_now_and_the_newest_first(
        programme, own_sink):
    api = create_app(programme.runtime).test_client()
    officer, _ = programme.participant("memory")
    sender = sender_for(programme, own_sink["smtp_port"])  # the sink is not started yet
    [waiting] = _page(api, programme, recipient_id=officer)
    assert waiting["status"] == "pending"

    for _ in range(4):  # every try refused: failed
        send_due(sender)
        programme.clock.advance(hours=1)
    assert _page(api, programme)[0]["status"] == "failed"
    assert api.post(f"/notifications/{waiting['id']}/resend",
                    headers=_coordinator(programme)).status_code == 200
    assert _page(api, programme)[0]["status"] == "pending"
    own_sink["start"]()
    send_due(sender)
    [sent] = _page(api, programme, recipient_id=officer)
    assert (sent["status"], [a["ok"] for a in sent["attempts"]]) == ("sent",
                                                                     [False] * 4 + [True])

    programme.clock.advance(minutes=1)
    newcomer, _ = programme.participant("memory-new")
    shown = _page(api, programme, page_size=2)
    assert [n["recipient_id"] for n in shown] == [newcomer, officer]
    assert [n["status"] for n in shown] == ["pending", "sent"]


def test_a_reader_that_remembers_a_stream_sees_what_another_process_added_since(
        programme, monkeypatch):
    streams = Streams(programme.runtime, f"t{uuid.uuid4().hex[:6]}")
    streams.append_many([("s", {"n": n}) for n in range(GROUP + 3)])
    page, total = streams.newest_first("s", 0, 3)  # remembered: the end and the open group
    assert ([e["n"] for e in page], total) == ([GROUP + 2, GROUP + 1, GROUP], GROUP + 3)

    reader = (stream_store._known, stream_store._groups)
    monkeypatch.setattr(stream_store, "_known", stream_memory.Known())  # another process
    monkeypatch.setattr(stream_store, "_groups", stream_memory.Groups())
    for start in range(GROUP + 3, 3 * GROUP + 4, 7):  # it seals two groups, moves the head
        streams.append_many([("s", {"n": n}) for n in range(start, min(start + 7,
                                                                        3 * GROUP + 4))])
    monkeypatch.setattr(stream_store, "_known", reader[0])
    monkeypatch.setattr(stream_store, "_groups", reader[1])

    page, total = streams.newest_first("s", 0, 3)
    assert ([e["n"] for e in page], total) == ([3 * GROUP + 3 - k for k in range(3)],
                                               3 * GROUP + 4)
    page, total = streams.newest_first("s", GROUP + 2, 4)
    assert [e["n"] for e in page] == [2 * GROUP + 1 - k for k in range(4)]
    assert [e["n"] for e in streams.everything("s")] == list(range(3 * GROUP + 4))


def test_a_reminder_shown_waiting_is_shown_moved_skipped_back_sent_and_cancelled(programme):
    api = create_app(programme.runtime).test_client()
    session_id = programme.session()
    officer, _ = programme.participant("waiting")
    programme.enroll(officer, session_id)

    def reminders() -> dict[str, tuple[str, datetime]]:
        return {n["kind"].rsplit("_", 1)[1]: (n["status"], datetime.fromisoformat(n["due_at"]))
                for n in _page(api, programme, session_id=session_id)
                if n["kind"].startswith("session_reminder")}

    assert reminders() == {"7d": ("scheduled", KARACHI_START - timedelta(days=7)),
                           "1d": ("scheduled", KARACHI_START - timedelta(days=1))}
    soon = programme.clock() + timedelta(days=3)  # the 7-day reminder's time has passed
    programme.reschedule(session_id, KARACHI_START, soon)
    assert reminders() == {"7d": ("skipped", soon - timedelta(days=7)),
                           "1d": ("scheduled", soon - timedelta(days=1))}
    later = KARACHI_START + timedelta(days=7)
    programme.reschedule(session_id, soon, later)  # it comes back
    assert reminders()["7d"] == ("scheduled", later - timedelta(days=7))

    programme.clock.now = later - timedelta(days=7, minutes=-1)
    send_due(sender_for(programme))
    assert reminders()["7d"][0] == "sent"
    programme.publish(SESSIONS_EVENTS, "sessions.session.cancelled", session_id,
                      {"session_id": session_id, "series_id": None, "reason": "Venue unavailable"})
    assert reminders() == {"7d": ("sent", later - timedelta(days=7)),
                           "1d": ("cancelled", later - timedelta(days=1))}


def test_a_cancellation_is_made_when_the_feeds_token_cannot_be_written(programme, monkeypatch):
    session_id = programme.session()
    officer, _ = programme.participant("token-lost")
    programme.enroll(officer, session_id)

    def database_gone(*args, **kwargs):
        raise AutoReconnect("the database went away")

    monkeypatch.setattr(shown_notifications, "by_id", SimpleNamespace(set_fields=database_gone))
    cancelled = notification_store.cancel_waiting(programme.runtime, "session_id", session_id,
                                                  "session cancelled", programme.clock())
    waiting = programme.of(session_id=session_id)  # the confirmation and two reminders
    assert cancelled == len(waiting) == 3
    assert {n["status"] for n in waiting} == {"cancelled"}
