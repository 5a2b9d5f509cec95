"""The organisations' committees and terms in the 党内统计 tables (issue 21): keys of the ORGANIZATIONS
subject — who sits on each unit's committee on the date (委员, 书记, 副书记), which units have a committee or
lack a secretary, and which terms end in the year or are overdue for 换届 — read from the roles
(``branches.Role``, with their start and end dates) and the recorded elections (``members.TermElection``).

The term in force on a date D is the last election on or before D; before a unit's first recorded election,
the term that election ended (``previous_term_started_on``); for a unit without elections (imported), its
``term_started_on`` if on or before D. A term ends ``term_years`` after it started (``add_years``)."""

from __future__ import annotations

import datetime

from django.db.models import Case, Count, DateField, Exists, F, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact, GreaterThanOrEqual, IsNull, LessThan, LessThanOrEqual
from django.utils.translation import gettext_lazy

from branches.dates import add_years
from branches.models import Organization, Role
from members.models import TermElection
from members.services.terms import ELECTED_ROLES
from members.stat_sources import Key, year_start

# The committee (委员会) of a unit: the holders of its elected posts. A unit with at least this many sits a
# committee (支部工作条例: 7 or more full members elect a committee of 3 to 5); below it, a secretary only.
COMMITTEE_AT_LEAST = 3
TERM_YEARS = range(1, 6)  # TermElection's check constraint: a term lasts 1 to 5 years


def held_on(as_of: datetime.date, kinds) -> QuerySet[Role]:
    """Roles of ``kinds`` held at the end of ``as_of``: started by then, not ended by then."""
    return Role.objects.filter(kind__in=kinds, started_on__lte=as_of).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=as_of)
    )


def seats(as_of: datetime.date, kinds) -> QuerySet[Role]:
    """One row per person and unit among the roles held: a person holding two posts of a committee (书记
    and 组织委员) is one committee member."""
    held = held_on(as_of, kinds)
    return held.filter(
        ~Exists(
            held.filter(user=OuterRef("user"), organization=OuterRef("organization"), pk__lt=OuterRef("pk"))
        )
    )


def _people(kinds):
    """The measure: a unit's people in ``kinds`` on the date (0 when none)."""

    def measure(d: datetime.date):
        per_unit = (
            seats(d, kinds)
            .filter(organization=OuterRef("pk"))
            .order_by()
            .values("organization")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        )
        return Coalesce(Subquery(per_unit), 0)

    return measure


def _drill(kinds):
    def drill(units: QuerySet, d: datetime.date) -> QuerySet[Role]:
        return (
            seats(d, kinds)
            .filter(organization__in=units.values("pk"))
            .select_related("user", "organization")
            .order_by("organization__path", "kind", "user__username", "pk")
        )

    return drill


COMMITTEE = tuple(ELECTED_ROLES)
SECRETARY = (Role.Kind.SECRETARY,)
DEPUTY = (Role.Kind.DEPUTY,)


def term_start(d: datetime.date):
    """The start of the term in force on ``d`` (None: no term recorded by then)."""
    elections = TermElection.objects.filter(organization=OuterRef("pk"))
    return Coalesce(
        Subquery(elections.filter(elected_on__lte=d).order_by("-elected_on").values("elected_on")[:1]),
        Subquery(
            elections.filter(elected_on__gt=d, previous_term_started_on__lte=d)
            .order_by("elected_on")
            .values("previous_term_started_on")[:1]
        ),
        Case(When(term_started_on__lte=d, then=F("term_started_on"))),
        output_field=DateField(),
    )


def term_years(d: datetime.date):
    elections = TermElection.objects.filter(organization=OuterRef("pk"), elected_on__lte=d)
    return Coalesce(Subquery(elections.order_by("-elected_on").values("term_years")[:1]), F("term_years"))


def _ends(d: datetime.date, *, before: datetime.date | None = None, within=None) -> Q:
    """The term in force on ``d`` ends before ``before``, or within ``within`` (first, last): one range
    condition per term length, as ``terms_due`` does."""
    start, years = term_start(d), term_years(d)
    q = Q(pk__in=[])
    for n in TERM_YEARS:
        if before is not None:
            in_range = Q(LessThan(start, add_years(before, -n)))
        else:
            first, last = within
            in_range = Q(GreaterThanOrEqual(start, add_years(first, -n))) & Q(
                LessThanOrEqual(start, add_years(last, -n))
            )
        q |= Q(Exact(years, n)) & in_range
    return ~Q(kind=Organization.Kind.GROUP) & q


def _committee_keys() -> dict[str, Key]:
    people = _people(COMMITTEE)
    return {
        "kind:elects": Key(
            gettext_lazy("Units electing their leadership"), lambda d: ~Q(kind=Organization.Kind.GROUP)
        ),
        "committee:formed": Key(
            gettext_lazy("With a committee"), lambda d: Q(GreaterThanOrEqual(people(d), COMMITTEE_AT_LEAST))
        ),
        "committee:no_secretary": Key(
            gettext_lazy("Without a secretary"),
            lambda d: (
                ~Q(kind=Organization.Kind.GROUP)
                & ~Q(Exists(held_on(d, SECRETARY).filter(organization=OuterRef("pk"))))
            ),
        ),
        "people:committee": Key(
            gettext_lazy("Committee members"),
            lambda d: Q(),
            measure=people,
            drill=_drill(COMMITTEE),
            shows="roles",
        ),
        "people:secretary": Key(
            gettext_lazy("Secretaries"),
            lambda d: Q(),
            measure=_people(SECRETARY),
            drill=_drill(SECRETARY),
            shows="roles",
        ),
        "people:deputy": Key(
            gettext_lazy("Deputy secretaries"),
            lambda d: Q(),
            measure=_people(DEPUTY),
            drill=_drill(DEPUTY),
            shows="roles",
        ),
        "term:in_force": Key(
            gettext_lazy("Term in force recorded"),
            lambda d: ~Q(kind=Organization.Kind.GROUP) & Q(IsNull(term_start(d), False)),
        ),
        "term:due_in_year": Key(
            gettext_lazy("Term ends in the year"),
            lambda d: _ends(d, within=(year_start(d), datetime.date(d.year, 12, 31))),
        ),
        "term:overdue": Key(gettext_lazy("Term overdue for renewal"), lambda d: _ends(d, before=d)),
    }


COMMITTEE_KEYS = _committee_keys()
