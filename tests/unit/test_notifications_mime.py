"""The email channel's own MIME writer reads back as the standard library's message does."""

import io
from email import message_from_bytes
from email.generator import BytesGenerator
from email.policy import default

import pytest

from services.notifications.channels.base import Attachment, Message
from services.notifications.channels.email import build
from services.notifications.channels.mime import encode

SENDER = "GLO.ACT Programme <no-reply@glo-act.example>"
CALENDAR = Attachment("session.ics", "text/calendar; charset=utf-8; method=REQUEST",
                      "BEGIN:VCALENDAR\r\nSUMMARY:کوچنگ\r\nEND:VCALENDAR\r\n".encode())
PDF = Attachment("certificate-AB12.pdf", "application/pdf", bytes(range(256)) * 40)
MESSAGES = {
    "english": Message(to="officer@example.org", subject="Rescheduled: Coaching 2 of 3",
                       text="Dear Ayesha,\n\nSee you in Islamabad.\n", html="<p>Dear Ayesha,</p>",
                       message_id="<n1@notifications.glo-act.example>", attachments=(CALENDAR,),
                       headers={"X-Notification-Kind": "session_rescheduled"}),
    "urdu": Message(to="officer@example.org", subject="آپ کی رجسٹریشن کی تصدیق: کوچنگ سیشن " * 3,
                    text="محترمہ عائشہ،\nآپ کی نشست کی تصدیق ہو گئی ہے۔\n",
                    html="<p dir=\"rtl\">محترمہ عائشہ</p>\n",
                    message_id="<n2@notifications.glo-act.example>",
                    attachments=(CALENDAR, PDF), headers={"X-Notification-Kind": "x"}),
    "no attachment, long line": Message(
        to="officer@example.org", subject="Your registration " + "is noted " * 12,
        text="word " * 400, html="<p>" + "x" * 1200 + "</p>",
        message_id="<n3@notifications.glo-act.example>"),
}


def _standard(message: Message) -> bytes:
    """What `smtplib.send_message` sends for the standard library's message."""
    written = io.BytesIO()
    mail = build(message, SENDER)
    BytesGenerator(written, policy=mail.policy.clone(linesep="\r\n")).flatten(mail)
    return written.getvalue()


def _read(raw: bytes) -> dict:
    parsed = message_from_bytes(raw, policy=default)
    return {
        "headers": {name: str(parsed[name]) for name in
                    ("From", "To", "Subject", "Message-ID", "X-Notification-Kind",
                     "MIME-Version")},
        "type": parsed.get_content_type(),
        "text": parsed.get_body(("plain",)).get_content().replace("\r\n", "\n"),
        "html": parsed.get_body(("html",)).get_content().replace("\r\n", "\n"),
        "attachments": [(a.get_content_type(), a.get_filename(), dict(a.get_params()[1:]),
                         a.get_payload(decode=True)) for a in parsed.iter_attachments()],
        "defects": [type(d).__name__ for part in parsed.walk() for d in part.defects],
    }


@pytest.mark.parametrize("kind", MESSAGES)
def test_the_written_message_reads_back_as_the_standard_librarys(kind):
    raw = encode(MESSAGES[kind], SENDER)
    assert raw is not None
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    assert b"\n" not in raw.replace(b"\r\n", b"")
    written, standard = _read(raw), _read(_standard(MESSAGES[kind]))
    # The subject as the notification has it (the standard library's folding of a long
    # non-ASCII subject drops spaces between its encoded words).
    assert written["headers"].pop("Subject") == MESSAGES[kind].subject
    standard["headers"].pop("Subject")
    assert written == standard
    assert written["defects"] == []


def test_a_long_message_id_is_read_back_whole_by_a_reader_that_does_not_unfold():
    long_id = "<7b7b7c45-5308-55a5-aad9-5763b1296dcf@notifications.glo-act.example>"
    message = Message(to="officer@example.org", subject="s", text="t", html="h",
                      message_id=long_id)
    assert message_from_bytes(encode(message, SENDER))["Message-ID"] == long_id  # compat32


def test_what_is_not_the_common_shape_is_left_to_the_standard_library():
    odd = Message(to="officer@example.org", subject="s", text="t", html="h",
                  message_id="<n4@x>", attachments=(Attachment("شہادت.pdf", "application/pdf",
                                                               b"%PDF"),))
    assert encode(odd, SENDER) is None
    injected = Message(to="officer@example.org\r\nBcc: someone@example.org", subject="s",
                       text="t", html="h", message_id="<n5@x>")
    assert encode(injected, SENDER) is None
