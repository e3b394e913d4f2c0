"""Templates per kind and language, in the session's own time."""

from datetime import UTC, datetime

import pytest

from services.notifications import rendering
from services.notifications.domain.notification_rules import TEMPLATES
from services.notifications.previews import preview

SESSION = {"_id": "s1", "title": "Coaching 2 of 3", "timezone": "Asia/Karachi",
           "starts_at": datetime(2021, 7, 20, 4, 0, tzinfo=UTC),
           "ends_at": datetime(2021, 7, 21, 12, 0, tzinfo=UTC), "city": "Islamabad"}


def _render(template: str, language: str, **context):
    notification = {"template": template, "context": context}
    recipient = {"given_name": "Ayesha", "family_name": "Khan", "language": language}
    return rendering.render(template, language,
                            rendering.context_for(notification, recipient, SESSION))


def test_urdu_speaking_recipient_gets_the_urdu_template():
    rendered = _render("session_reminder", "ur")
    assert rendered.language == "ur"
    assert rendered.subject.startswith("یاد دہانی")
    assert "20 جولائی 2021، 09:00 (Asia/Karachi)" in rendered.text
    assert 'dir="rtl"' in rendered.html


def test_kind_without_urdu_template_falls_back_to_english():
    rendered = _render("feedback_requested", "ur")
    assert rendered.language == "en"
    assert rendered.subject == "Your feedback on Coaching 2 of 3"
    assert "Dear Ayesha Khan" in rendered.text


def test_times_are_shown_in_the_sessions_timezone():
    rendered = _render("session_rescheduled", "en",
                       previous_starts_at=datetime(2021, 7, 13, 4, 0, tzinfo=UTC),
                       previous_ends_at=datetime(2021, 7, 14, 12, 0, tzinfo=UTC))
    assert "From: Tuesday 20 July 2021, 09:00 (Asia/Karachi)" in rendered.text
    assert "To: Wednesday 21 July 2021, 17:00 (Asia/Karachi)" in rendered.text
    assert "Previously: Tuesday 13 July 2021, 09:00 (Asia/Karachi)" in rendered.text


def test_html_escapes_what_came_from_outside_but_plain_text_keeps_it():
    notification = {"template": "session_cancelled",
                    "context": {"reason": "<script>alert(1)</script> & co"}}
    recipient = {"given_name": "<b>Ayesha</b>", "family_name": "Khan", "language": "en"}
    rendered = rendering.render("session_cancelled", "en",
                                rendering.context_for(notification, recipient, SESSION))
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in rendered.html
    assert "&lt;b&gt;Ayesha&lt;/b&gt;" in rendered.html
    assert "Reason: <script>alert(1)</script> & co" in rendered.text


@pytest.mark.parametrize("kind", TEMPLATES)
@pytest.mark.parametrize("language", ["en", "ur"])
def test_every_kind_previews_in_every_language(kind, language):
    shown = preview(kind, language, "no-reply@glo-act.example")
    assert shown["subject"] and shown["text"] and shown["html"].startswith("<!DOCTYPE html>")
    assert "{{" not in shown["text"]
