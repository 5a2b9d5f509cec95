"""The one daily step of DESIGN §7, which every app's scheduled work joins."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from assessments.services.assessment import assessment_cycles_advance
from assessments.services.assessment_todos import assessment_todos_advance
from assessments.services.evaluation_todos import evaluation_todos_advance
from assessments.services.guides import guide_todos_advance
from assessments.services.ratings import campaigns_close_due
from disclosure.services import lifecycle_todos_advance, reminders_advance


def cycles_advance(*, today: datetime.date) -> dict[str, dict[str, int]]:
    """The daily cycle step (DESIGN §7): look at ``today`` and do whatever is due.

    Every part reads the current state, not what the previous run did, and writes under unique keys, so
    running it twice the same day creates nothing twice and a missed day is caught up by the next run.
    Each part has its own transaction: one that fails leaves the others done, and tomorrow retries it.

    Parts, in order (later issues add the assessment phases here):

    * ``reminders`` — meeting to-dos for secretaries (a required meeting still missing in a period that
      ends soon) and reviewers (records awaiting review); to-dos whose cause is gone are closed.
    * ``member_affairs`` — to-dos for the units' secretaries from the member lifecycle (development steps,
      transfer letters, dues lapses, care visits, terms ending within 6 or 3 months or overdue).
    * ``ratings`` — rating campaigns whose closing time has passed are closed (results become visible).
      Closing is itself idempotent; ``today``'s end (Beijing time) is the moment compared with.

    * ``assessments`` — the July-1 cycle (``assessment.assessment_cycles_advance``): each phase change whose
      date has passed and that has not been done (open, close self-assessment, close review, close
      verification, publish), in order, each once, each in its own transaction.
    * ``assessment_todos`` — the cycle's to-dos: self-assessments to submit, reviews to do, verification.
    * ``guide_todos`` — this month's actions of the published 年度工作指南 for the branches that have not
      recorded them (issue 18); last month's open ones close.
    * ``evaluation_todos`` — the open 民主评议's to-dos (write the 个人自评, cast the 测评) for the members who
      have not (issue 19); those of evaluations no longer open close.

    Returns ``{part: {what: count}}``, e.g. ``{"reminders": {"created": 3, "closed": 1}}``.
    """
    results: dict[str, dict[str, int]] = {}
    with transaction.atomic():
        results["reminders"] = reminders_advance(today=today)
    results["member_affairs"] = lifecycle_todos_advance(today=today)  # its own transaction
    # Each campaign closes in its own transaction (and PostgreSQL's VACUUM must run outside one).
    end_of_day = timezone.make_aware(datetime.datetime.combine(today, datetime.time.max))
    # Capped at the real now: a run with a future --today never opens results early.
    results["ratings"] = campaigns_close_due(now=min(end_of_day, timezone.now()))
    # The July-1 cycle (issue 5): each phase change in its own transaction.
    results["assessments"] = assessment_cycles_advance(today=today)
    results["assessment_todos"] = assessment_todos_advance(today=today)  # after the phases moved
    results["guide_todos"] = guide_todos_advance(today=today)
    results["evaluation_todos"] = evaluation_todos_advance(today=today)
    return results
