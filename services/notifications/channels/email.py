"""Email over a real SMTP conversation (the local sink in development, any relay in production)."""

import smtplib
import ssl
import threading
import time
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

from services.notifications.channels import mime
from services.notifications.channels.base import Message, Result


def build(message: Message, sender: str) -> EmailMessage:
    """A MIME message: plain text and HTML alternatives, then any attachments."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = message.to
    mail["Subject"] = message.subject
    mail["Date"] = formatdate(localtime=False)
    # Stable per notification, so a relay or the inbox can drop a repeat after a crash.
    mail["Message-ID"] = message.message_id
    for name, value in message.headers.items():
        mail[name] = value
    mail.set_content(message.text)
    mail.add_alternative(message.html, subtype="html")
    for attachment in message.attachments:
        maintype, _, rest = attachment.content_type.partition("/")
        subtype, *params = [p.strip() for p in rest.split(";")]
        mail.add_attachment(attachment.data, maintype=maintype, subtype=subtype,
                            filename=attachment.filename,
                            params=dict(p.split("=", 1) for p in params))
    return mail


class EmailChannel:
    """Sends over one SMTP connection per sending thread, kept open between messages: a new
    connection, its greeting, EHLO, STARTTLS and login cost more than the message itself.

    A connection idle for a while is checked with NOOP before use, and one that failed is
    dropped; a message whose conversation fails is never re-sent here (the sender's retry does
    it, with the same Message-ID), so a break after the server took the message cannot double
    it within one try.
    """

    name = "email"
    address_field = "email"
    IDLE_CHECK_S = 5.0
    MESSAGES_PER_CONNECTION = 100

    def __init__(self, host: str, port: int, sender: str, starttls: bool = False,
                 use_ssl: bool = False, username: str = "", password: str = "",
                 timeout_s: float = 10.0):
        self.host, self.port, self.sender = host, port, sender
        self.starttls, self.use_ssl = starttls, use_ssl
        self.username, self.password, self.timeout_s = username, password, timeout_s
        self.envelope_from = parseaddr(sender)[1]
        self._local = threading.local()

    def send(self, message: Message) -> Result:
        # Written directly (`mime`), or by the standard library when it is not of the common
        # shape; either way the same message.
        raw = mime.encode(message, self.sender)
        mail = build(message, self.sender) if raw is None else None
        try:
            smtp = self._session()
            if raw is None:
                smtp.send_message(mail)
            else:
                smtp.sendmail(self.envelope_from, [message.to], raw)
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            return Result(False, _reason(exc))
        self._local.used = getattr(self._local, "used", 0) + 1
        self._local.last = time.monotonic()
        if self._local.used >= self.MESSAGES_PER_CONNECTION:
            self._drop(quit_=True)
        return Result(True)

    def _session(self) -> smtplib.SMTP:
        smtp = getattr(self._local, "smtp", None)
        if smtp is not None and time.monotonic() - self._local.last > self.IDLE_CHECK_S:
            try:
                alive = smtp.noop()[0] == 250
            except (smtplib.SMTPException, OSError):
                alive = False
            if not alive:
                self._drop()
                smtp = None
        if smtp is None:
            smtp = self._connect()
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password)
            self._local.smtp, self._local.used = smtp, 0
            self._local.last = time.monotonic()
        return smtp

    def _drop(self, quit_: bool = False) -> None:
        smtp, self._local.smtp = getattr(self._local, "smtp", None), None
        if smtp is None:
            return
        try:
            if quit_:
                smtp.quit()
        except (smtplib.SMTPException, OSError):
            pass
        finally:
            smtp.close()

    def _connect(self) -> smtplib.SMTP:
        if self.use_ssl:
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout_s,
                                    context=ssl.create_default_context())
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout_s)


def _reason(exc: Exception) -> str:
    """Why sending failed, without the address (SMTP errors may echo it back)."""
    code = getattr(exc, "smtp_code", None) or getattr(exc, "errno", None)
    return f"{type(exc).__name__}" + (f" ({code})" if code else "")
