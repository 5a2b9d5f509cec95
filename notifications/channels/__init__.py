"""Delivery channels. Each ``send(address, message)`` returns the provider's message id or raises
``Transient`` (try again later: rate limits, a busy or unreachable server) or ``Permanent`` (a wrong
address, a refused configuration: trying again changes nothing).

Which channels exist is the administrator's configuration (settings from the environment, README): e-mail
when ``NOTIFY_EMAIL`` is on, 企业微信 when its corp id, agent id and secret are set, SMS when a gateway URL and
template are set. ``NOTIFY_DELIVERY=outbox`` (the embedded default) offers every channel and sends nothing.

The contract (``Message``, ``Transient``, ``Permanent``) lives in ``contract``, the configuration and the
dispatch in ``dispatch``; both are re-exported here (``channels.send``, ``channels.Transient``).
"""

from notifications.channels.contract import Message, Permanent, Transient
from notifications.channels.dispatch import available, configured, send, sending

__all__ = ["Message", "Permanent", "Transient", "available", "configured", "send", "sending"]
