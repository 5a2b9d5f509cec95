"""Writes of the assessment app. For now the one daily step of DESIGN §7; the July-1 cycle's phases join it."""

from __future__ import annotations

import datetime

from django.db import transaction

from disclosure.services import reminders_advance


def cycles_advance(*, today: datetime.date) -> dict[str, dict[str, int]]:
    """The daily cycle step (DESIGN §7): look at ``today`` and do whatever is due.

    Every part reads the current state, not what the previous run did, and writes under unique keys, so
    running it twice the same day creates nothing twice and a missed day is caught up by the next run.
    Each part has its own transaction: one that fails leaves the others done, and tomorrow retries it.

    Parts, in order (later issues add the assessment phases here):

    * ``reminders`` — meeting to-dos for secretaries (a required meeting still missing in a period that
      ends soon) and reviewers (records awaiting review); to-dos whose cause is gone are closed.

    Returns ``{part: {what: count}}``, e.g. ``{"reminders": {"created": 3, "closed": 1}}``.
    """
    results: dict[str, dict[str, int]] = {}
    with transaction.atomic():
        results["reminders"] = reminders_advance(today=today)
    return results
