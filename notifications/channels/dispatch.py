"""Which channels exist (the administrator's configuration, settings from the environment) and the one
``send`` that hands a message to the channel's module."""

from __future__ import annotations

from django.conf import settings

from notifications.channels.contract import Message, Permanent


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
