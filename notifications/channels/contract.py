"""What every delivery channel keeps: ``send(address, message)`` takes a ``Message`` and returns the provider's
message id or raises ``Transient`` (try again later) or ``Permanent`` (trying again changes nothing)."""

from __future__ import annotations

from dataclasses import dataclass


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
