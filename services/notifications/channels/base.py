"""The channel interface: `send(message) -> result`, and the registry built from configuration."""

import importlib
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # e.g. "text/calendar; method=REQUEST"
    data: bytes


@dataclass(frozen=True)
class Message:
    """One rendered notification to one address; `message_id` is stable per notification."""

    to: str
    subject: str
    text: str
    html: str
    message_id: str
    attachments: tuple[Attachment, ...] = ()
    headers: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Result:
    ok: bool
    error: str | None = None


class Channel(Protocol):
    name: str
    address_field: str  # which recipient field holds this channel's address

    def send(self, message: Message) -> Result: ...


def load_extra(spec: str, **kwargs) -> dict[str, Channel]:
    """Channels named by configuration: `"sms=package.module:SmsChannel,..."`."""
    channels: dict[str, Channel] = {}
    for item in (s.strip() for s in spec.split(",") if s.strip()):
        name, _, target = item.partition("=")
        module_name, _, class_name = target.partition(":")
        if not (name and module_name and class_name):
            raise ValueError(f"channel {item!r} is not like name=package.module:Class")
        channel_class = getattr(importlib.import_module(module_name), class_name)
        channels[name] = channel_class(**kwargs)
    return channels
