"""Email over a real SMTP conversation (the local sink in development, any relay in production)."""

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate

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
    name = "email"
    address_field = "email"

    def __init__(self, host: str, port: int, sender: str, starttls: bool = False,
                 use_ssl: bool = False, username: str = "", password: str = "",
                 timeout_s: float = 10.0):
        self.host, self.port, self.sender = host, port, sender
        self.starttls, self.use_ssl = starttls, use_ssl
        self.username, self.password, self.timeout_s = username, password, timeout_s

    def send(self, message: Message) -> Result:
        mail = build(message, self.sender)
        try:
            with self._connect() as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password)
                smtp.send_message(mail)
        except (smtplib.SMTPException, OSError) as exc:
            return Result(False, _reason(exc))
        return Result(True)

    def _connect(self) -> smtplib.SMTP:
        if self.use_ssl:
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout_s,
                                    context=ssl.create_default_context())
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout_s)


def _reason(exc: Exception) -> str:
    """Why sending failed, without the address (SMTP errors may echo it back)."""
    code = getattr(exc, "smtp_code", None) or getattr(exc, "errno", None)
    return f"{type(exc).__name__}" + (f" ({code})" if code else "")
