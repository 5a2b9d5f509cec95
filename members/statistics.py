"""党内统计 (issue 21): the yearly tables computed from the data, their drill-down, 信息完整度 and the national
member sheet. Beside ``party_stats`` (DESIGN §10) and on the same definitions: a party member is an active
record at a party stage, counted at their formal membership unit (``Member.branch``) and its ancestors; the
age bands are ``members.selectors.AGE_BANDS`` and the organisation counts ``organization_breakdown``'s. As of
today a table's "total × total" cell is ``party_stats``'s ``party_members`` (a test holds them equal).

A table's layout (``StatTable``) names its rows and columns by the keys of its subject's ``Source``; a cell
counts what the subject counts, filtered by its row's and its column's condition (or, for a *measure* column
such as 委员人数, sums the people each counted unit has). One aggregate query per table, whatever its size; one
query per drill-down page. ``members`` registers its own subjects below; a higher app registers the subjects
whose data it owns (``register_source`` in its ``AppConfig.ready``: 民主评议 and 七一表彰 from ``assessments``),
as the dashboard's blocks are registered, since ``members`` may not import it (DESIGN §3).
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, Substr
from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from branches.dates import add_years
from branches.models import Organization
from members.models import DevelopmentCase, DevelopmentStep, Member, StatTable, Transfer
from members.resources import EDUCATION_LABELS, OCCUPATION_LABELS, STUDENT_LEVEL_LABELS
from members.selectors import AGE_BANDS
from members.stat_committees import COMMITTEE_KEYS
from members.stat_sources import (  # noqa: F401  (re-exported: the registry's names, as before)
    SOURCES,
    Cond,
    Key,
    Source,
    keys_for,
    register_source,
    source_for,
    year_start,
)

S = Member.Stage
PIPELINE_STAGES = (S.APPLICANT, S.ACTIVIST, S.CANDIDATE)
# The development steps whose date is the approving date the national instructions count by.
ADMISSION_APPROVED_STEP = 17
FULL_APPROVED_STEP = 24
MEMBERSHIP_BANDS: tuple[tuple[str, int | None], ...] = (
    ("5_and_under", 5),
    ("6_10", 10),
    ("11_20", 20),
    ("21_30", 30),
    ("31_50", 50),
    ("51_and_over", None),
)


def _step_on(number: int, as_of: datetime.date, *, dated: bool = True) -> Exists:
    steps = DevelopmentStep.objects.filter(case__member=OuterRef("pk"), number=number)
    if dated:
        steps = steps.filter(done_on__gte=year_start(as_of), done_on__lte=as_of)
    return Exists(steps)


def _moved_after(direction: str, as_of: datetime.date) -> Q:
    """A transfer of ``direction`` completed after ``as_of``."""
    return Q(
        Exists(
            Transfer.objects.filter(
                member=OuterRef("pk"),
                direction=direction,
                status=Transfer.Status.DONE,
                completed_on__gt=as_of,
            )
        )
    )


def _present(as_of: datetime.date) -> Q:
    """On the rolls at the end of ``as_of`` (by formal membership unit): active and not transferred in after
    it; or gone after it — left the Party, or transferred out (a transfer out ends the record without a
    leaving date: the member stays in the Party, elsewhere)."""
    return (
        (Q(is_active=True) & ~_moved_after(Transfer.Direction.IN, as_of))
        | Q(left_on__gt=as_of)
        | _moved_after(Transfer.Direction.OUT, as_of)
    )


def _in_year(field: str, as_of: datetime.date) -> Q:
    return Q(**{f"{field}__gte": year_start(as_of), f"{field}__lte": as_of})


def _transfer(direction: str, as_of: datetime.date) -> Q:
    return Q(
        Exists(
            Transfer.objects.filter(
                member=OuterRef("pk"),
                direction=direction,
                status=Transfer.Status.DONE,
                completed_on__gte=year_start(as_of),
                completed_on__lte=as_of,
            )
        )
    )


# What each subject counts (for members; ORGANIZATIONS is the tree's). Each is one condition on Member.
SUBJECTS: dict[str, Cond] = {
    StatTable.Subject.MEMBERS: lambda d: Q(stage__in=Member.PARTY_STAGES, joined_on__lte=d) & _present(d),
    # Admitted by the upper committee's approving date (step 17); a record without the step (imported) by
    # its joining date.
    StatTable.Subject.ADMITTED: lambda d: (
        Q(stage__in=Member.PARTY_STAGES)
        & (
            Q(_step_on(ADMISSION_APPROVED_STEP, d))
            | (~Q(_step_on(ADMISSION_APPROVED_STEP, d, dated=False)) & _in_year("joined_on", d))
        )
    ),
    StatTable.Subject.MADE_FULL: lambda d: (
        Q(stage=S.FULL)
        & (
            Q(_step_on(FULL_APPROVED_STEP, d))
            | (~Q(_step_on(FULL_APPROVED_STEP, d, dated=False)) & _in_year("full_on", d))
        )
    ),
    StatTable.Subject.EXTENDED: lambda d: Q(
        Exists(
            DevelopmentCase.objects.filter(
                member=OuterRef("pk"), extended_on__gte=year_start(d), extended_on__lte=d
            )
        )
    ),
    StatTable.Subject.TRANSFERS_IN: lambda d: _transfer(Transfer.Direction.IN, d),
    StatTable.Subject.TRANSFERS_OUT: lambda d: _transfer(Transfer.Direction.OUT, d),
    StatTable.Subject.LEFT: lambda d: _in_year("left_on", d),
    StatTable.Subject.PIPELINE: lambda d: (
        (Q(stage__in=PIPELINE_STAGES) | Q(joined_on__gt=d))
        & (Q(applied_on__isnull=True) | Q(applied_on__lte=d))
        & _present(d)
    ),
}


def _age(key: str) -> Cond:
    bands = dict(AGE_BANDS)
    keys = [k for k, _o in AGE_BANDS]
    index = keys.index(key)

    def cond(d: datetime.date) -> Q:
        q = Q()
        oldest = bands[key]
        if oldest is not None:
            q &= Q(birth_date__gt=add_years(d, -oldest - 1))
        if index:
            younger_than = bands[keys[index - 1]]
            q &= Q(birth_date__lte=add_years(d, -younger_than - 1))
        return q

    return cond


def _years(key: str) -> Cond:
    bands = dict(MEMBERSHIP_BANDS)
    keys = [k for k, _o in MEMBERSHIP_BANDS]
    index = keys.index(key)

    def cond(d: datetime.date) -> Q:
        q = Q(joined_on__isnull=False)
        longest = bands[key]
        if longest is not None:
            q &= Q(joined_on__gt=add_years(d, -longest - 1))
        if index:
            q &= Q(joined_on__lte=add_years(d, -bands[keys[index - 1]] - 1))
        return q

    return cond


def _full(d: datetime.date) -> Q:
    return Q(stage=S.FULL) & (Q(full_on__isnull=True) | Q(full_on__lte=d))


def _stage_as_of(stage: str) -> Cond:
    if stage == S.FULL:
        return _full
    if stage == S.PROBATIONARY:
        return lambda d: Q(stage__in=Member.PARTY_STAGES, joined_on__lte=d) & ~_full(d)
    # Pipeline stages by their dates as of d (the current stage when the date is not recorded).
    if stage == S.CANDIDATE:
        return lambda d: Q(candidate_on__lte=d) | Q(candidate_on__isnull=True, stage=S.CANDIDATE)
    if stage == S.ACTIVIST:
        return lambda d: (
            (Q(activist_on__lte=d) | Q(activist_on__isnull=True, stage=S.ACTIVIST))
            & ~(Q(candidate_on__lte=d) | Q(candidate_on__isnull=True, stage=S.CANDIDATE))
        )
    return lambda d: (
        ~(
            Q(activist_on__lte=d)
            | Q(candidate_on__lte=d)
            | Q(activist_on__isnull=True, stage__in=(S.ACTIVIST, S.CANDIDATE))
        )
    )


def _band_label(kind: str, low: int | None, high: int | None) -> str:
    """A band's name as the defaults print it (30岁及以下, 31至40岁, 6至10年), in the interface's language."""

    def text() -> str:
        if kind == "age":
            if low is None:
                return pgettext("age band", "%(n)d and under") % {"n": high}
            if high is None:
                return pgettext("age band", "%(n)d and over") % {"n": low}
            return pgettext("age band", "%(low)d to %(high)d") % {"low": low, "high": high}
        if low is None:
            return pgettext("membership years band", "%(n)d and under") % {"n": high}
        if high is None:
            return pgettext("membership years band", "%(n)d and over") % {"n": low}
        return pgettext("membership years band", "%(low)d to %(high)d") % {"low": low, "high": high}

    return lazy(text, str)()


def _bands(kind: str, bands: tuple[tuple[str, int | None], ...]) -> dict[str, str]:
    labels, previous = {}, None
    for key, upper in bands:
        labels[key] = _band_label(kind, None if previous is None else previous + 1, upper)
        previous = upper
    return labels


def _member_keys() -> dict[str, Key]:
    keys: dict[str, Key] = {"total": Key(gettext_lazy("Total"), lambda d: Q())}
    for value, label in Member.Gender.choices:
        keys[f"gender:{value}"] = Key(label, lambda d, v=value: Q(gender=v))
    keys["ethnicity:han"] = Key(gettext_lazy("Han"), lambda d: Q(ethnicity="汉族"))
    keys["ethnicity:minority"] = Key(gettext_lazy("Ethnic minorities"), lambda d: ~Q(ethnicity="汉族"))
    for value, label in Organization.Category.choices:
        keys[f"category:{value}"] = Key(label, lambda d, v=value: Q(category=v))
    for value, label in Member.Stage.choices:
        keys[f"stage:{value}"] = Key(label, _stage_as_of(value))
    for key, band in _bands("age", AGE_BANDS).items():
        keys[f"age:{key}"] = Key(band, _age(key))
    for key, band in _bands("years", MEMBERSHIP_BANDS).items():
        keys[f"years:{key}"] = Key(band, _years(key))
    for field, choices in (
        ("education", Member.Education),
        ("occupation", Member.Occupation),
        ("student", Member.StudentLevel),
        ("left", Member.LeftReason),
    ):
        column = {"student": "student_level", "left": "left_reason"}.get(field, field)
        # A student level is a student's only: "not recorded" there counts students without one.
        scope = Q(category=Organization.Category.STUDENT) if field == "student" else Q()
        for value, label in choices.choices:
            keys[f"{field}:{value}"] = Key(label, lambda d, c=column, v=value, q=scope: q & Q(**{c: v}))
        keys[f"{field}:unknown"] = Key(
            gettext_lazy("Not recorded"), lambda d, c=column, q=scope: q & Q(**{c: ""})
        )
    return keys


def _organization_keys() -> dict[str, Key]:
    keys: dict[str, Key] = {"total": Key(gettext_lazy("Total"), lambda d: Q())}
    for value, label in Organization.Kind.choices:
        keys[f"kind:{value}"] = Key(label, lambda d, v=value: Q(kind=v))
    for value, label in Organization.Category.choices:
        keys[f"category:{value}"] = Key(
            label, lambda d, v=value: Q(kind=Organization.Kind.BRANCH, category=v)
        )
    for value, label in Organization.UnitType.choices:
        keys[f"unit_type:{value}"] = Key(
            label, lambda d, v=value: Q(kind__in=Organization.SECONDARY_KINDS, unit_type=v)
        )
    keys["term:recorded"] = Key(gettext_lazy("Term recorded"), lambda d: Q(term_started_on__lte=d))
    keys["term:elected_in_year"] = Key(
        gettext_lazy("Elected in the year"), lambda d: _in_year("term_started_on", d)
    )
    return keys


MEMBER_KEYS = _member_keys()
# The organisations' kinds, categories and terms, with their committees and terms (members.stat_committees).
ORGANIZATION_KEYS = {**_organization_keys(), **COMMITTEE_KEYS}


LABEL_MAX = 60
LINES_MAX = 60


def _line_error(message: str, line: int, **params) -> ValidationError:
    """An error about one line (a layout's *line*-th pair, from 1): the editor's view renumbers ``line`` and
    ``first`` to the lines of its text, which may have blank ones."""
    return ValidationError(message, code="line", params={"line": line, **params})


def _pair_errors(pair, line: int, known, seen: dict[str, int], *, row: bool = False) -> list[ValidationError]:
    """What is wrong with one [key, label] line: its shape, its name, an unknown or repeated code, a measure
    as a *row*."""
    if not isinstance(pair, list) or len(pair) != 2 or not all(isinstance(p, str) for p in pair):
        return [_line_error(_("Line %(line)d: write it as “code = name”."), line)]
    key, label = pair
    errors = []
    if not key:
        errors.append(_line_error(_("Line %(line)d: the code is missing."), line))
    elif key not in known:
        errors.append(_line_error(_("Line %(line)d: there is no code “%(key)s”."), line, key=key))
    elif key in seen:
        errors.append(
            _line_error(
                _("Line %(line)d: the code “%(key)s” is already on line %(first)d."),
                line,
                key=key,
                first=seen[key],
            )
        )
    else:
        seen[key] = line
        if row and known[key].measure is not None:
            errors.append(
                _line_error(
                    _("Line %(line)d: “%(key)s” counts people per unit: it can only be a column."),
                    line,
                    key=key,
                )
            )
    if not label:
        errors.append(_line_error(_("Line %(line)d: the name is empty."), line))
    elif len(label) > LABEL_MAX:
        errors.append(_line_error(_("Line %(line)d: a name of at most %(n)d characters."), line, n=LABEL_MAX))
    return errors


def validate_layout(*, subject: str, rows, columns) -> None:
    """A layout is a list of 1 to 60 [key, label] pairs per axis, every key one the subject knows and none
    twice on an axis, every label of 1 to 60 characters; a measure (a sum of people per unit) only as a
    column. Every error names its line (``{"rows": [...], "columns": [...]}``)."""
    known = keys_for(subject)
    if not known:
        raise ValidationError(_("No data source is installed for this subject."))
    errors: dict[str, list[ValidationError]] = {}
    for axis, pairs in (("rows", rows), ("columns", columns)):
        found: list[ValidationError] = []
        if not isinstance(pairs, list) or not pairs or len(pairs) > LINES_MAX:
            found.append(ValidationError(_("Write 1 to %(n)d lines.") % {"n": LINES_MAX}))
        else:
            seen: dict[str, int] = {}
            for line, pair in enumerate(pairs, start=1):
                found += _pair_errors(pair, line, known, seen, row=axis == "rows")
        if found:
            errors[axis] = found
    if errors:
        raise ValidationError(errors)


# --- computing ----------------------------------------------------------------------------------------------------


def subject_queryset(*, subject: str, unit: Organization, as_of: datetime.date) -> QuerySet:
    """What a table of ``subject`` counts in ``unit``'s subtree as of ``as_of``, before its rows and columns."""
    return source_for(subject).items(unit, as_of)


def _organizations(unit: Organization, as_of: datetime.date) -> QuerySet:
    return (
        Organization.objects.subtree_of(unit)
        .filter(is_active=True)
        .filter(Q(founded_on__isnull=True) | Q(founded_on__lte=as_of))
    )


def _member_source(subject: str) -> Source:
    return Source(
        items=lambda unit, d: Member.objects.in_subtree(unit).filter(SUBJECTS[subject](d)),
        keys=MEMBER_KEYS,
        order=("branch__path", "name", "pk"),
        shows="members",
        related=("branch",),
    )


for _subject in SUBJECTS:
    register_source(_subject, _member_source(_subject))
register_source(
    StatTable.Subject.ORGANIZATIONS,
    Source(items=_organizations, keys=ORGANIZATION_KEYS, order=("path",), shows="organizations"),
)


def cell_condition(*, table: StatTable, row: str, column: str, as_of: datetime.date) -> Q:
    known = keys_for(table.subject)
    return known[row].cond(as_of) & known[column].cond(as_of)


def compute_table(*, table: StatTable, unit: Organization, as_of: datetime.date) -> list[list[int]]:
    """The table's cells, rows by columns. One aggregate query."""
    known = keys_for(table.subject)
    aggregates = {}
    for i, (row, _label) in enumerate(table.rows):
        for j, (column, _l) in enumerate(table.columns):
            measure = known[column].measure
            condition = known[row].cond(as_of) & known[column].cond(as_of)
            aggregates[f"r{i}c{j}"] = (
                Count("pk", filter=condition)
                if measure is None
                else Coalesce(Sum(measure(as_of), filter=condition), 0)
            )
    values = (
        subject_queryset(subject=table.subject, unit=unit, as_of=as_of).order_by().aggregate(**aggregates)
    )
    return [[values[f"r{i}c{j}"] for j in range(len(table.columns))] for i in range(len(table.rows))]


def table_snapshot(table: StatTable, cells: list[list[int]]) -> dict:
    """What a report keeps of a table: its layout as it was, and the numbers."""
    return {
        "code": table.code,
        "title": table.title,
        "subject": table.subject,
        "rules": table.rules,
        "rows": table.rows,
        "columns": table.columns,
        "cells": cells,
    }


def active_tables() -> QuerySet[StatTable]:
    """The tables a report computes: active, and of a subject whose source is installed."""
    return StatTable.objects.filter(is_active=True, subject__in=list(SOURCES))


def drilldown_shows(*, table: StatTable, column: str) -> str:
    """Which list a cell's drill-down is: the subject's items, or what a measure column counts."""
    key = keys_for(table.subject)[column]
    return key.shows if key.measure is not None else source_for(table.subject).shows


def drilldown(
    *, table: StatTable, unit: Organization, as_of: datetime.date, row: str, column: str
) -> QuerySet:
    """The people (or units, or awards) behind one cell: the same condition ``compute_table`` counts."""
    source = source_for(table.subject)
    known = source.keys
    if row not in known or column not in known:
        raise KeyError(row if row not in known else column)
    qs = subject_queryset(subject=table.subject, unit=unit, as_of=as_of).filter(
        cell_condition(table=table, row=row, column=column, as_of=as_of)
    )
    drill = known[column].drill
    if known[column].measure is not None and drill is not None:
        return drill(qs, as_of)
    if source.related:
        qs = qs.select_related(*source.related)
    return qs.order_by(*source.order)


# --- 信息完整度 ------------------------------------------------------------------------------------------------------

COMPLETENESS_FIELDS: tuple[tuple[str, object, Q], ...] = (
    ("ethnicity", gettext_lazy("ethnicity"), ~Q(ethnicity="")),
    ("education", gettext_lazy("education"), ~Q(education="")),
    ("occupation", gettext_lazy("occupation"), ~Q(occupation="")),
    ("id_number", gettext_lazy("ID number"), ~Q(id_number="")),
    ("phone", gettext_lazy("phone"), ~Q(phone="")),
    (
        "student_level",
        gettext_lazy("student level"),
        ~Q(category=Organization.Category.STUDENT) | ~Q(student_level=""),
    ),
    ("full_on", gettext_lazy("full member since"), ~Q(stage=S.FULL) | Q(full_on__isnull=False)),
)


@dataclass
class CompletenessRow:
    unit: Organization
    members: int
    filled: dict[str, int]

    @property
    def shares(self) -> list[tuple[str, int, float | None]]:
        return [
            (key, self.filled.get(key, 0), self.filled.get(key, 0) / self.members if self.members else None)
            for key, _label, _q in COMPLETENESS_FIELDS
        ]

    @property
    def overall(self) -> float | None:
        if not self.members:
            return None
        return sum(self.filled.values()) / (self.members * len(COMPLETENESS_FIELDS))


def completeness(*, unit: Organization) -> list[CompletenessRow]:
    """How complete the party members' records are, per direct subunit (or for the branch itself): for each
    field the tables and the national sheet need, the number of records that have it. Two queries."""
    children = list(
        Organization.objects.filter(path__startswith=unit.path, depth=unit.depth + 1).order_by("path")
    )
    units = children or [unit]
    prefix = len(units[0].path)
    rows = (
        Member.objects.active()
        .party_members()
        .in_subtree(unit)
        .annotate(unit_path=Substr("branch__path", 1, prefix))
        .values("unit_path")
        .annotate(n=Count("pk"), **{key: Count("pk", filter=q) for key, _l, q in COMPLETENESS_FIELDS})
        .order_by()
    )
    by_path = {row["unit_path"]: row for row in rows}
    result = []
    for child in units:
        row = by_path.get(child.path, {})
        result.append(
            CompletenessRow(
                child, row.get("n", 0), {key: row.get(key, 0) for key, _l, _q in COMPLETENESS_FIELDS}
            )
        )
    return result


# --- the national member-information sheet ------------------------------------------------------------------------


@functools.lru_cache(maxsize=32)
def _labels(field: str, language: str | None) -> dict[str, str]:
    return {value: str(label) for value, label in Member._meta.get_field(field).flatchoices}


def _display(member: Member, field: str) -> object:
    """``get_<field>_display()``, with the labels read once per language: Django's rebuilds the choices' dict at
    each call (a third of the check page's time for its 500 people)."""
    value = getattr(member, field)
    return _labels(field, translation.get_language()).get(value, value) if value else ""


SHEET_FIELDS: dict[str, Callable[[Member], object]] = {
    "name": lambda m: m.name,
    "gender": lambda m: _display(m, "gender"),
    "ethnicity": lambda m: m.ethnicity,
    "birth_date": lambda m: m.birth_date,
    "id_number": lambda m: m.id_number,
    # The national labels (as the import reads them), whatever the interface's language.
    "education": lambda m: EDUCATION_LABELS.get(m.education, ""),
    "occupation": lambda m: OCCUPATION_LABELS.get(m.occupation, ""),
    "student_level": lambda m: STUDENT_LEVEL_LABELS.get(m.student_level, ""),
    "category": lambda m: _display(m, "category"),
    "stage": lambda m: _display(m, "stage"),
    "branch": lambda m: m.branch.name,
    "phone": lambda m: m.phone,
    "applied_on": lambda m: m.applied_on,
    "activist_on": lambda m: m.activist_on,
    "candidate_on": lambda m: m.candidate_on,
    "joined_on": lambda m: m.joined_on,
    "full_on": lambda m: m.full_on,
}
SHEET_STAGES = {
    "members": Member.PARTY_STAGES,
    "applicants": (S.APPLICANT, S.ACTIVIST),
    "candidates": (S.CANDIDATE,),
}


def validate_sheet_columns(columns) -> None:
    """1 to 60 [field, heading, required] triples, every field one the sheet can fill and none twice, every
    heading of 1 to 60 characters. Every error names its line."""
    if not isinstance(columns, list) or not columns or len(columns) > LINES_MAX:
        raise ValidationError(_("Write 1 to %(n)d lines.") % {"n": LINES_MAX})
    errors: list[ValidationError] = []
    seen: dict[str, int] = {}
    for line, triple in enumerate(columns, start=1):
        if not isinstance(triple, list) or len(triple) != 3 or not isinstance(triple[2], bool):
            errors.append(_line_error(_("Line %(line)d: write it as “code = name”."), line))
            continue
        errors += _pair_errors(list(triple[:2]), line, SHEET_FIELDS, seen)
    if errors:
        raise ValidationError(errors)


def sheet_people(*, kind: str, unit: Organization) -> QuerySet[Member]:
    """The active people of one kind in the subtree, in tree order. One query."""
    return (
        Member.objects.active()
        .in_subtree(unit)
        .filter(stage__in=SHEET_STAGES[kind])
        .select_related("branch")
        .order_by("branch__path", "name", "pk")
    )


SHEET_CHECK_SHOWN = 500  # people with empty required fields listed on the check page (all are counted)
# Where SHEET_FIELDS gives "" or None, said in SQL: a national label the code has none for, a date not set, a
# text left empty (the branch is always there).
_LABELLED = {
    "education": EDUCATION_LABELS,
    "occupation": OCCUPATION_LABELS,
    "student_level": STUDENT_LEVEL_LABELS,
}


def _left_empty(field: str) -> Q:
    if field == "branch":
        return Q(pk__in=[])
    if field in _LABELLED:
        return ~Q(**{f"{field}__in": list(_LABELLED[field])}) | Q(**{f"{field}__isnull": True})
    if isinstance(Member._meta.get_field(field), models.DateField):
        return Q(**{f"{field}__isnull": True})
    return Q(**{field: ""}) | Q(**{f"{field}__isnull": True})


@dataclass
class SheetCheck:
    count: int  # people on the sheet
    missing_count: int  # of them, with a required field left empty
    # The first SHEET_CHECK_SHOWN of those, each with the headings left empty.
    missing: list[tuple[Member, list[str]]]


def sheet_check(*, columns: list, people: QuerySet[Member]) -> SheetCheck:
    """The check before the sheet is handed over, bounded however large the subtree: the people counted and the
    incomplete ones counted in SQL, the first ``SHEET_CHECK_SHOWN`` of these read (what ``sheet_rows`` finds,
    without building every row: 1.3 s for a university's 17,000 people). Three queries."""
    required = [field for field, _h, is_required in columns if is_required]
    incomplete = Q(pk__in=[])
    for field in required:
        incomplete |= _left_empty(field)
    flagged = people.filter(incomplete)
    # Only the required columns' values are built for the listed people: the others cannot be "left empty".
    checked = [column for column in columns if column[2]]
    shown = sheet_rows(columns=checked, people=flagged[:SHEET_CHECK_SHOWN])[2] if required else []
    return SheetCheck(people.count(), flagged.count() if required else 0, shown)


def sheet_rows(
    *, columns: list, people: Iterable[Member]
) -> tuple[list[str], list[list], list[tuple[Member, list[str]]]]:
    """The sheet's headings, its rows, and per member the required headings left empty."""
    headers = [heading for _f, heading, _r in columns]
    rows, missing = [], []
    for member in people:
        values = [SHEET_FIELDS[field](member) for field, _h, _r in columns]
        rows.append(values)
        empty = [
            heading
            for (field, heading, required), value in zip(columns, values, strict=True)
            if required and value in ("", None)
        ]
        if empty:
            missing.append((member, empty))
    return headers, rows, missing
