"""The 党内统计 tables of what ``assessments`` holds (issue 21): 民主评议党员 results and 七一表彰 awards,
registered as subjects with ``members.stat_sources`` (``register`` runs in ``AppConfig.ready``), since
``members`` may not import ``assessments`` (DESIGN §3). Their layouts are ``StatTable`` rows like the others'
(``members.stat_defaults``); computing, drill-down, xlsx, the printable page and the report task are
``members.statistics``'s, unchanged.

* 民主评议 (``evaluations``): the full members on the rolls on the date (the members tables' ``stage:full``
  cell), each with the grade of the statistics year's evaluation (``MemberEvaluation.year`` = D's year) once
  the secondary committee approved it; probationary members take part but are not graded, so not counted.
* 七一表彰 (``commendations``): the nominations awarded in a commendation whose results were published from
  1 January of D's year to D, counted at the honoured unit (先进基层党组织) or the honoured member's
  branch; the level is the awarding root's (a university: 校级, a province: 省级).
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy

from assessments.models.commendation import HonourKind, Nomination
from assessments.models.evaluation import EvaluationEntry, EvaluationGrade, MemberEvaluation
from branches.models import Organization
from members.models import Member, StatTable
from members.statistics import MEMBER_KEYS, SUBJECTS
from members.stat_sources import Key, Source, register_source, year_start


def _graded(d: datetime.date, grade: str | None = None) -> Q:
    entries = EvaluationEntry.objects.filter(
        member=OuterRef("pk"),
        graded=True,
        evaluation__year=d.year,
        evaluation__status=MemberEvaluation.Status.APPROVED,
    ).exclude(grade="")
    if grade is not None:
        entries = entries.filter(grade=grade)
    return Q(Exists(entries))


def _full_members(unit: Organization, d: datetime.date) -> QuerySet[Member]:
    return (
        Member.objects.in_subtree(unit)
        .filter(SUBJECTS[StatTable.Subject.MEMBERS](d))
        .filter(MEMBER_KEYS["stage:full"].cond(d))
    )


def _evaluation_keys() -> dict[str, Key]:
    keys = dict(MEMBER_KEYS)
    keys["evaluation:evaluated"] = Key(gettext_lazy("Evaluated"), lambda d: _graded(d))
    for value, label in EvaluationGrade.choices:
        keys[f"evaluation:{value}"] = Key(label, lambda d, g=value: _graded(d, g))
    keys["evaluation:not_evaluated"] = Key(gettext_lazy("Not evaluated"), lambda d: ~_graded(d))
    return keys


def _awarded(unit: Organization, d: datetime.date) -> QuerySet[Nomination]:
    return Nomination.objects.filter(
        status=Nomination.Status.AWARDED,
        commendation__published_on__gte=year_start(d),
        commendation__published_on__lte=d,
    ).filter(Q(organization__path__startswith=unit.path) | Q(member__branch__path__startswith=unit.path))


def _commendation_keys() -> dict[str, Key]:
    kind = Organization.Kind
    keys: dict[str, Key] = {"total": Key(gettext_lazy("Total"), lambda d: Q())}
    for value, label in HonourKind.choices:
        keys[f"honour:{value}"] = Key(label, lambda d, v=value: Q(kind=v))
    keys["unit:secondary"] = Key(
        gettext_lazy("Secondary committees"), lambda d: Q(organization__kind__in=Organization.SECONDARY_KINDS)
    )
    keys["unit:branch"] = Key(gettext_lazy("Branches"), lambda d: Q(organization__kind=kind.BRANCH))
    keys["level:province"] = Key(
        gettext_lazy("Provincial level"), lambda d: Q(commendation__root__kind=kind.PROVINCE)
    )
    keys["level:university"] = Key(
        gettext_lazy("University level"), lambda d: Q(commendation__root__kind=kind.UNIVERSITY)
    )
    for value, label in Member.Gender.choices:
        keys[f"gender:{value}"] = Key(label, lambda d, v=value: Q(member__gender=v))
    for value, label in Organization.Category.choices:
        keys[f"category:{value}"] = Key(
            label,
            lambda d, v=value: (
                Q(member__category=v) | Q(organization__kind=kind.BRANCH, organization__category=v)
            ),
        )
    return keys


def register() -> None:
    register_source(
        StatTable.Subject.EVALUATIONS,
        Source(
            items=_full_members,
            keys=_evaluation_keys(),
            order=("branch__path", "name", "pk"),
            shows="members",
            related=("branch",),
        ),
    )
    register_source(
        StatTable.Subject.COMMENDATIONS,
        Source(
            items=_awarded,
            keys=_commendation_keys(),
            order=("kind", "organization__path", "member__branch__path", "member__name", "pk"),
            shows="nominations",
            related=("commendation__root", "organization", "member__branch", "committee"),
        ),
    )
