"""The email channel: the MIME message it builds, and what a failure records."""

import socket
from email import message_from_bytes
from email.policy import default

from services.notifications.channels.base import Attachment, Message, load_extra
from services.notifications.channels.email import EmailChannel, build

MESSAGE = Message(to="officer@example.org", subject="Rescheduled: Coaching 2 of 3",
                  text="Dear Ayesha,\n", html="<p>Dear Ayesha,</p>",
                  message_id="<n1@notifications.glo-act.example>",
                  attachments=(Attachment("session.ics", "text/calendar; method=REQUEST",
                                          b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"),))


def test_message_has_text_html_and_a_calendar_attachment_with_a_stable_id():
    parsed = message_from_bytes(bytes(build(MESSAGE, "GLO.ACT <no-reply@glo-act.example>")),
                                policy=default)
    assert parsed["Message-ID"] == "<n1@notifications.glo-act.example>"
    assert parsed.get_body(("plain",)).get_content() == "Dear Ayesha,\n"
    assert parsed.get_body(("html",)).get_content().strip() == "<p>Dear Ayesha,</p>"
    [calendar] = list(parsed.iter_attachments())
    assert calendar.get_content_type() == "text/calendar"
    assert calendar.get_param("method") == "REQUEST"
    assert calendar.get_filename() == "session.ics"


def test_unreachable_server_is_a_failed_result_without_the_address():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = EmailChannel("127.0.0.1", port, "no-reply@glo-act.example", timeout_s=2).send(MESSAGE)
    assert not result.ok
    assert "ConnectionRefusedError" in result.error
    assert "officer" not in result.error


class PigeonChannel:
    name = "pigeon"
    address_field = "phone"

    def __init__(self, **_):
        pass


def test_further_channels_are_added_by_configuration():
    channels = load_extra(f"pigeon={__name__}:PigeonChannel")
    assert channels["pigeon"].address_field == "phone"
