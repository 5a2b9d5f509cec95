"""Who did it and why, for the history row simple-history writes at a record's next save or delete.

simple-history reads two attributes it does not declare on the model (``_history_user`` and
``_change_reason``). Setting them through these two functions keeps that private contract in one typed place
instead of an undeclared attribute assignment in every service."""

from django.contrib.auth.models import User
from django.db import models


def history_by(instance: models.Model, user: User | None) -> None:
    """The next history row of ``instance`` records ``user`` as the one who made the change."""
    instance._history_user = user  # type: ignore[attr-defined]  # simple-history's undeclared attribute


def history_reason(instance: models.Model, reason: str) -> None:
    """The next history row of ``instance`` records ``reason`` as its change reason."""
    instance._change_reason = reason  # type: ignore[attr-defined]  # simple-history's undeclared attribute


def save_without_history(instance: models.Model) -> None:
    """Save ``instance`` without a history row (the caller writes the one row itself, e.g. a new record's
    single "created" row after its attendance is in)."""
    instance.save_without_historical_record()  # type: ignore[attr-defined]  # simple-history's undeclared method
