"""Notifications' own knobs, read through `common.config.env` (defaults serve local use)."""

from dataclasses import dataclass
from datetime import timedelta

from common.config import env


def parse_offsets(raw: str) -> tuple[timedelta, ...]:
    """`"7d,1d,2h,30m"` -> reminder offsets before a session starts, largest first."""
    units = {"d": "days", "h": "hours", "m": "minutes"}
    offsets = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        if part[-1] not in units or not part[:-1].isdigit():
            raise ValueError(f"reminder offset {part!r} is not like 7d, 24h or 30m")
        offsets.append(timedelta(**{units[part[-1]]: int(part[:-1])}))
    return tuple(sorted(offsets, reverse=True))


@dataclass(frozen=True)
class NotificationSettings:
    reminder_offsets: tuple[timedelta, ...]
    sender_interval_s: float
    sender_threads: int
    lease_s: float
    max_attempts: int
    backoff_s: float
    backoff_cap_s: float
    mail_from: str
    smtp_starttls: bool
    smtp_ssl: bool
    smtp_username: str
    smtp_password: str
    smtp_timeout_s: float
    extra_channels: str
    registration_url: str
    sessions_url: str


def load_notification_settings() -> NotificationSettings:
    return NotificationSettings(
        reminder_offsets=parse_offsets(env("NOTIFICATION_REMINDER_OFFSETS", "7d,1d")),
        sender_interval_s=float(env("NOTIFICATION_SENDER_INTERVAL_SECONDS", "30")),
        sender_threads=max(1, int(env("NOTIFICATION_SENDER_THREADS", "4"))),
        lease_s=float(env("NOTIFICATION_LEASE_SECONDS", "120")),
        max_attempts=int(env("NOTIFICATION_MAX_ATTEMPTS", "6")),
        backoff_s=float(env("NOTIFICATION_BACKOFF_SECONDS", "5")),
        backoff_cap_s=float(env("NOTIFICATION_BACKOFF_CAP_SECONDS", "600")),
        mail_from=env("NOTIFICATION_MAIL_FROM", "GLO.ACT Programme <no-reply@glo-act.example>"),
        smtp_starttls=env("SMTP_STARTTLS", "false").lower() == "true",
        smtp_ssl=env("SMTP_SSL", "false").lower() == "true",
        smtp_username=env("SMTP_USERNAME", ""),
        smtp_password=env("SMTP_PASSWORD", ""),
        smtp_timeout_s=float(env("SMTP_TIMEOUT_SECONDS", "10")),
        # Further channels by configuration: "sms=package.module:SmsChannel,..."
        extra_channels=env("NOTIFICATION_CHANNELS", ""),
        # Where contact details are asked for (events carry none): the APIs' base URLs.
        registration_url=env("REGISTRATION_URL", "http://127.0.0.1:8001").rstrip("/"),
        sessions_url=env("SESSIONS_URL", "http://127.0.0.1:8002").rstrip("/"),
    )
