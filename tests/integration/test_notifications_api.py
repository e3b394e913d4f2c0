"""Notifications' HTTP API on the real database, through the Flask test client."""

from datetime import timedelta

import pytest

from common.auth import mint
from services.notifications.app import create_app
from tests.integration.notification_programme import (
    KARACHI_START,
    sender_for,
)


@pytest.fixture
def api(programme):
    return create_app(programme.runtime).test_client()


def _auth(running, *roles):
    settings = running.runtime.settings
    token = mint(settings.jwt_secret, "tester", list(roles), 600, settings.jwt_audience,
                 settings.jwt_issuer)
    return {"Authorization": f"Bearer {token}"}


def test_feed_by_session_and_status_shows_each_attempt_without_contact_details(
        api, programme):
    session_id = programme.session()
    participant_id, address = programme.participant("feed")
    programme.enroll(participant_id, session_id)
    sender_for(programme).run_once()

    response = api.get("/notifications", query_string={"session_id": session_id,
                                                       "status": "sent"},
                       headers=_auth(programme, "viewer"))
    assert response.status_code == 200
    [confirmation] = response.get_json()
    assert (confirmation["kind"], confirmation["recipient_id"]) == ("enrollment_confirmed",
                                                                    participant_id)
    assert [a["ok"] for a in confirmation["attempts"]] == [True]
    assert confirmation["subject"] == "Your place is confirmed: Coaching 2 of 3"
    assert address not in response.get_data(as_text=True)
    scheduled = api.get("/notifications", query_string={"recipient_id": participant_id,
                                                        "status": "scheduled"},
                        headers=_auth(programme, "service")).get_json()
    assert sorted(n["kind"] for n in scheduled) == ["session_reminder_1d", "session_reminder_7d"]


def test_feed_rejects_an_unknown_status_naming_the_field(api, programme):
    response = api.get("/notifications", query_string={"status": "lost"},
                       headers=_auth(programme, "viewer"))
    assert response.status_code == 422
    assert "status" in response.get_json()["errors"]["query"]


def test_failed_notification_can_be_resent_once_and_is_then_delivered(
        api, programme, own_sink):
    participant_id, _ = programme.participant("resend")
    sender = sender_for(programme, own_sink["smtp_port"])  # the sink is not started yet
    for _ in range(4):
        sender.run_once()
        programme.clock.advance(hours=1)
    [failed] = programme.of(recipient_id=participant_id)
    assert failed["status"] == "failed"
    coordinator = _auth(programme, "coordinator")

    resent = api.post(f"/notifications/{failed['_id']}/resend", headers=coordinator)
    assert resent.status_code == 200
    assert resent.get_json()["status"] == "pending"
    again = api.post(f"/notifications/{failed['_id']}/resend", headers=coordinator)
    assert again.status_code == 409
    assert "only a failed notification" in again.get_json()["message"]
    own_sink["start"]()
    sender.run_once()
    shown = api.get(f"/notifications/{failed['_id']}", headers=coordinator).get_json()
    assert shown["status"] == "sent"
    assert [a["ok"] for a in shown["attempts"]] == [False] * 4 + [True]
    assert api.post("/notifications/nope/resend", headers=coordinator).status_code == 404
    assert api.post(f"/notifications/{failed['_id']}/resend",
                    headers=_auth(programme, "viewer")).status_code == 403


def test_preferences_are_read_and_changed_by_coordinators_only(api, programme):
    participant_id, _ = programme.participant("prefs-api")
    coordinator = _auth(programme, "coordinator")
    url = f"/recipients/{participant_id}/preferences"
    assert api.get(url, headers=coordinator).get_json()["reminders"] == {"email": True,
                                                                        "sms": True}
    changed = api.put(url, json={"reminders": {"email": False}}, headers=coordinator)
    assert changed.status_code == 200
    assert changed.get_json()["reminders"] == {"email": False, "sms": True}
    assert api.get(url, headers=coordinator).get_json()["reminders"]["email"] is False

    bad = api.put(url, json={"reminders": {"fax": True}, "critical": False},
                  headers=coordinator)
    assert bad.status_code == 422
    assert set(bad.get_json()["errors"]["json"]) == {"reminders", "critical"}
    assert api.get(url, headers=_auth(programme, "viewer")).status_code == 403
    assert api.get(f"/recipients/{participant_id}",
                   headers=_auth(programme, "viewer")).status_code == 403
    assert api.get("/recipients/nobody/preferences", headers=coordinator).status_code == 404


def test_reminders_switched_off_over_http_are_skipped_when_due(api, programme):
    session_id = programme.session()
    participant_id, _ = programme.participant("prefs-due")
    programme.enroll(participant_id, session_id)
    api.put(f"/recipients/{participant_id}/preferences", json={"reminders": {"email": False}},
            headers=_auth(programme, "coordinator"))
    programme.clock.now = KARACHI_START - timedelta(hours=1)
    sender_for(programme).run_once()
    skipped = api.get("/notifications", query_string={"recipient_id": participant_id,
                                                      "status": "skipped"},
                      headers=_auth(programme, "viewer")).get_json()
    assert sorted(n["kind"] for n in skipped) == ["session_reminder_1d", "session_reminder_7d"]


def test_template_preview_renders_sample_data_in_the_language_asked(api, programme):
    coordinator = _auth(programme, "coordinator")
    urdu = api.get("/templates/session_rescheduled/preview", query_string={"language": "ur"},
                   headers=coordinator).get_json()
    assert urdu["language"] == "ur"
    assert "20 جولائی 2021، 09:00 (Asia/Karachi)" in urdu["text"]
    assert "METHOD:REQUEST" in urdu["calendar"]
    fallback = api.get("/templates/feedback_requested/preview",
                       query_string={"language": "ur"}, headers=coordinator).get_json()
    assert (fallback["language"], fallback["calendar"]) == ("en", None)
    assert api.get("/templates/unknown/preview", headers=coordinator).status_code == 404
    wrong = api.get("/templates/session_reminder/preview", query_string={"language": "fr"},
                    headers=coordinator)
    assert wrong.status_code == 422
    assert "language" in wrong.get_json()["errors"]["query"]
