"""A notification's MIME message written straight to bytes, for the common case.

The standard library's `EmailMessage` parses every header it is given through its header
registry and walks the whole tree again to flatten it: about 2 ms of CPU per email, which was
40% of the worker's CPU per email when it drained a backlog (`bench.pipe_probe`, py-spy).
Notifications are always the same shape (text and HTML alternatives, then attachments), so they
are written here directly, in the structure `email.build` gives them: the same headers, parts,
charsets and transfer encodings a parser reads back. Anything outside that shape (an address
or a file name that is not plain ASCII, a header with a line break) returns None and goes the
standard library's way.
"""

import base64
import uuid
from email.header import Header
from email.utils import formataddr, formatdate, parseaddr

from services.notifications.channels.base import Attachment, Message

CRLF = b"\r\n"
LONGEST_LINE = 998  # RFC 5322: beyond it a text part is base64, as the standard library does


def _plain(value: str) -> bool:
    return value.isascii() and "\r" not in value and "\n" not in value


def _header(name: str, value: str) -> bytes:
    """One header: plain ASCII folded at its spaces, anything else encoded (RFC 2047)."""
    if _plain(value):
        return f"{name}: {_folded(value, 78 - len(name) - 2)}".encode() + CRLF
    encoded = Header(value, "utf-8", header_name=name).encode(linesep="\r\n")
    return f"{name}: {encoded}".encode("ascii") + CRLF


def _folded(value: str, first: int) -> str:
    """A value in lines of at most 78 characters (the first line ``first``, after its name)
    where the spaces between its words allow; never before its first word, so a value of one
    word (a Message-ID) stays on the name's line, as readers that do not unfold expect.
    RFC 5322 2.2.3: unfolding removes only the line breaks, so the header reads back the
    same."""
    if len(value) <= first:
        return value
    head, *words = value.split(" ")
    lines = [head]
    width = first
    for word in words:
        if len(lines[-1]) + 1 + len(word) > width and lines[-1].strip():
            lines.append(" " + word)
            width = 78
        else:
            lines[-1] += " " + word
    return "\r\n".join(lines)


def _from(sender: str) -> str | None:
    name, address = parseaddr(sender)
    if not address or not _plain(address):
        return None
    return formataddr((name, address), charset="utf-8")


def _text_part(text: str, subtype: str) -> bytes:
    """A text part as `EmailMessage.set_content` writes it: 7bit when it is short-lined ASCII,
    else base64 of its UTF-8 (lines ended by a newline, and a newline at its end)."""
    lines = text.splitlines()
    if text.isascii() and all(len(line) <= LONGEST_LINE for line in lines):
        return (f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
                "Content-Transfer-Encoding: 7bit\r\n\r\n").encode() + \
            CRLF.join(line.encode() for line in lines) + CRLF
    body = ("\n".join(lines) + "\n").encode()
    return (f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
            "Content-Transfer-Encoding: base64\r\n\r\n").encode() + _base64(body)


def _base64(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", CRLF)


def _attachment(attachment: Attachment) -> bytes | None:
    if not _plain(attachment.filename) or '"' in attachment.filename \
            or not _plain(attachment.content_type):
        return None
    content_type, *params = [p.strip() for p in attachment.content_type.split(";")]
    quoted = "".join(f'; {k.strip()}="{v.strip()}"'
                     for k, _, v in (p.partition("=") for p in params if p))
    return (f"Content-Type: {content_type}{quoted}\r\n"
            f'Content-Disposition: attachment; filename="{attachment.filename}"\r\n'
            "Content-Transfer-Encoding: base64\r\n\r\n").encode() + _base64(attachment.data)


def _multipart(subtype: str, parts: list[bytes]) -> bytes:
    boundary = f"===============_{uuid.uuid4().hex}=="
    marker = f"--{boundary}".encode()
    body = b"".join(marker + CRLF + part + CRLF for part in parts) + marker + b"--" + CRLF
    return f'Content-Type: multipart/{subtype}; boundary="{boundary}"\r\n\r\n'.encode() + body


def encode(message: Message, sender: str) -> bytes | None:
    """The whole message, CRLF-ended, as SMTP's DATA carries it; None if it is not of the
    common shape (then `email.build` writes it)."""
    sender_header = _from(sender)
    headers = {"To": message.to, "Message-ID": message.message_id, **message.headers}
    if sender_header is None or not all(_plain(v) for v in headers.values()) \
            or not _plain(message.to):
        return None
    attachments = [_attachment(a) for a in message.attachments]
    if any(a is None for a in attachments):
        return None
    body = _multipart("alternative", [_text_part(message.text, "plain"),
                                      _text_part(message.html, "html")])
    if attachments:
        body = _multipart("mixed", [body, *attachments])
    head = b"".join([_header("From", sender_header), _header("To", message.to),
                     _header("Subject", message.subject),
                     _header("Date", formatdate(localtime=False)),
                     _header("Message-ID", message.message_id),
                     *[_header(name, value) for name, value in message.headers.items()],
                     b"MIME-Version: 1.0\r\n"])
    return head + body
