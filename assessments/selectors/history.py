"""A record's decision history for its page (issue 19): from its simple-history rows, each change of status
with who made it, when, and the reason given for a return. Reads one query (the rows with their users)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import models


@dataclass(frozen=True)
class HistoryRow:
    date: datetime.datetime
    user: User | None
    status: str
    label: str  # the status after the change, in the reader's language
    reason: str  # the reason for a return, when the change was one


def status_history(record: models.Model, *, returned: str = "returned", limit: int = 50) -> list[HistoryRow]:
    """The status changes of ``record`` (a model with ``status``, its ``history`` and optionally a
    ``return_reason``), oldest first: the creation and every row whose status differs from the one before;
    saves that left the status as it was are not decisions and are left out. The latest ``limit`` rows."""
    labels = dict(getattr(type(record)._meta.get_field("status"), "choices", None) or [])
    has_reason = any(f.name == "return_reason" for f in type(record)._meta.get_fields())
    rows: list[HistoryRow] = []
    previous = None
    for h in record.history.select_related("history_user").order_by("history_date", "history_id"):  # type: ignore[attr-defined]
        if h.status == previous and h.history_type != "+":
            continue
        previous = h.status
        rows.append(
            HistoryRow(
                date=h.history_date,
                user=h.history_user,
                status=h.status,
                label=str(labels.get(h.status, h.status)),
                reason=(h.return_reason if has_reason and h.status == returned else ""),
            )
        )
    return rows[-limit:]
