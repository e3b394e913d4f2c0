"""The channels this process can send on: email always, more by configuration."""

from common.config import NotificationSettings, Settings
from services.notifications.channels.base import Channel, load_extra
from services.notifications.channels.email import EmailChannel


def build_channels(settings: Settings, config: NotificationSettings) -> dict[str, Channel]:
    email = EmailChannel(settings.smtp_host, settings.smtp_port, config.mail_from,
                         starttls=config.smtp_starttls, use_ssl=config.smtp_ssl,
                         username=config.smtp_username, password=config.smtp_password,
                         timeout_s=config.smtp_timeout_s)
    return {"email": email, **load_extra(config.extra_channels, settings=settings,
                                         config=config)}
