"""Delivery channels. Each ``send(address, message)`` returns the provider's message id or raises
``Transient`` (try again later: rate limits, a busy or unreachable server) or ``Permanent`` (a wrong
address, a refused configuration: trying again changes nothing).

Which channels exist is the administrator's configuration (settings from the environment, README): e-mail
when ``NOTIFY_EMAIL`` is on, 企业微信 when its corp id, agent id and secret are set, SMS when a gateway URL and
template are set. ``NOTIFY_DELIVERY=outbox`` (the embedded default) offers every channel and sends nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


class Transient(Exception):
    """The channel failed this time; ``retry_after`` (seconds) when the provider said how long to wait."""

    def __init__(self, detail: str, *, retry_after: int | None = None):
        super().__init__(detail)
        self.retry_after = retry_after


class Permanent(Exception):
    """The channel refused the message; another try would fail the same way."""


@dataclass(frozen=True)
class Message:
    subject: str
    body: str
    item_count: int
    name: str  # the recipient's name, for the SMS template


def sending() -> bool:
    return settings.NOTIFY_DELIVERY == "send"


def configured(channel: str) -> bool:
    if channel == "email":
        return settings.NOTIFY_EMAIL
    if channel == "wecom":
        return bool(settings.WECOM_CORP_ID and settings.WECOM_AGENT_ID and settings.WECOM_SECRET)
    if channel == "sms":
        return bool(settings.SMS_GATEWAY_URL and settings.SMS_TEMPLATE_DIGEST)
    return False


def available() -> list[str]:
    """The channels a person may choose: the configured ones, or all of them while messages stay in the outbox."""
    from notifications.models import Channel

    return [channel for channel in Channel.values if not sending() or configured(channel)]


def send(channel: str, address: str, message: Message) -> str:
    if channel == "email":
        from notifications.channels import email

        return email.send(address, message)
    if channel == "wecom":
        from notifications.channels import wecom

        return wecom.send(address, message)
    if channel == "sms":
        from notifications.channels import sms

        return sms.send(address, message)
    raise Permanent(f"unknown channel {channel!r}")
