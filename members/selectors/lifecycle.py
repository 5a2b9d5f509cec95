"""Reads of the lifecycle: development cases, stage counts, what is due, ledgers, transfers, visits, terms.

Every function here runs a fixed number of queries whatever the size of the subtree (the pins are in the
tests named after each topic)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.dates import add_years, month_end, prose_date
from branches.models import Organization
from branches.selectors import MANAGE_UNITS, organizations_with_permission
from members.models import (
    STEP_BY_NUMBER,
    CareOccasion,
    CareVisit,
    DevelopmentCase,
    DuesDeclaration,
    DuesExemption,
    DuesPayment,
    ElectedSeat,
    LifecycleRule,
    Member,
    TermCandidate,
    TermElection,
    Transfer,
    exempt_through,
)
from members.rules import add_months, first_of_month, rules

K = LifecycleRule.Key


# --- development --------------------------------------------------------------------------------------------


def development_cases(
    *, organization: Organization, status: str | None = DevelopmentCase.Status.OPEN
) -> QuerySet[DevelopmentCase]:
    """Cases of people in the subtree, with the person and branch loaded. One query."""
    cases = DevelopmentCase.objects.filter(member__branch__path__startswith=organization.path)
    if status:
        cases = cases.filter(status=status)
    return cases.select_related("member", "member__branch").order_by(
        "member__branch__path", "last_step", "member__name", "pk"
    )


def development_steps(*, case: DevelopmentCase) -> list:
    """The 25 steps with what was recorded for each (None if not yet). Three queries (steps, their people,
    their documents)."""
    done = {s.number: s for s in case.steps.prefetch_related("people", "files").select_related("recorded_by")}
    return [{"definition": d, "record": done.get(d.number)} for d in STEP_BY_NUMBER.values()]


def stage_counts_by_unit(*, organization: Organization) -> list[dict]:
    """People by stage for each direct subunit (for a branch: the branch itself), for the dashboards.

    Two queries: the subunits, and one grouped scan of the subtree's active people by path prefix.
    """
    if organization.kind == Organization.Kind.BRANCH:
        units = [organization]
        width = len(organization.path)
    else:
        units = list(
            Organization.objects.filter(
                path__startswith=organization.path,
                depth=organization.depth + 1,
                kind__in=[
                    Organization.Kind.COMMITTEE,
                    Organization.Kind.GENERAL_BRANCH,
                    Organization.Kind.BRANCH,
                ],
            ).order_by("path")
        )
        width = len(organization.path) + Organization.steplen
    rows = (
        Member.objects.active()
        .in_subtree(organization)
        .annotate(unit_path=Substr("branch__path", 1, width))
        .values("unit_path", "stage")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row["unit_path"], {})[row["stage"]] = row["n"]
    result = []
    for unit in units:
        by_stage = {stage: counts.get(unit.path, {}).get(stage, 0) for stage in Member.Stage.values}
        result.append({"unit": unit, "stages": by_stage, "total": sum(by_stage.values())})
    return result


# --- what is due --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueItem:
    topic: str  # development / transfer / dues / care / term / exemption
    key: str  # stable, for idempotent to-dos: "development:<case>:<step>", "term:<org>:<end date>" …
    due_on: datetime.date
    overdue: bool
    text: str
    organization_id: int
    member_id: int | None = None
    object_id: int | None = None


def _development_due(
    organization: Organization, today: datetime.date, limits: dict, soon: datetime.date
) -> list[DueItem]:
    items = []
    cases = DevelopmentCase.objects.filter(
        status=DevelopmentCase.Status.OPEN,
        member__branch__path__startswith=organization.path,
        member__is_active=True,
    ).select_related("member")
    for case in cases:
        member = case.member
        due = None
        what = ""
        if case.last_step == 1 and member.applied_on:
            due = add_months(member.applied_on, limits[K.TALK_WITHIN_MONTHS])
            what = _("Talk with applicant %(name)s")
        elif 6 <= case.last_step < 15:
            since = case.last_reviewed_on or member.activist_on or case.last_step_on
            assert since is not None  # every case has its last step's day (created with the application's)
            due = add_months(since, limits[K.REVIEW_EVERY_MONTHS])
            what = _("Six-monthly review of %(name)s")
        elif case.last_step in (15, 16):
            assert case.last_step_on is not None  # as above
            due = add_months(case.last_step_on, limits[K.APPROVAL_WITHIN_MONTHS])
            what = _("Upper committee's approval of %(name)s")
            if case.last_step == 16 and member.joined_on:
                due = add_months(member.joined_on, limits[K.APPROVAL_WITHIN_MONTHS])
        elif 17 <= case.last_step < 23 and member.joined_on:
            due = add_months(member.joined_on, limits[K.PROBATION_MONTHS] + (case.extension_months or 0))
            what = _("Vote on full membership of %(name)s")
        if due is None or due > soon:
            continue
        items.append(
            DueItem(
                "development",
                f"development:{case.pk}:{case.last_step + 1}",
                due,
                due < today,
                what % {"name": member.name},
                member.branch_id,
                member.pk,
                case.pk,
            )
        )
    return items


def lifecycle_due(*, organization: Organization, today: datetime.date) -> list[DueItem]:
    """Everything overdue or due soon in the subtree: development steps, transfer letters, dues lapses,
    care occasions without a visit, terms ending, dues exemptions awaiting the unit's decision. Overdue first,
    then by date. Seven queries."""
    limits = rules()  # 1
    soon = today + datetime.timedelta(days=limits[K.DUE_SOON_DAYS])
    items = _development_due(organization, today, limits, soon)  # 2

    in_subtree = Q(from_branch__path__startswith=organization.path) | Q(
        to_branch__path__startswith=organization.path
    )
    for transfer in Transfer.objects.filter(
        in_subtree, status=Transfer.Status.OPEN, valid_until__lte=soon
    ).select_related("member"):  # 3
        unit_id = transfer.from_branch_id or transfer.to_branch_id
        assert unit_id is not None  # the subtree filter matched one of the two branches
        items.append(
            DueItem(
                "transfer",
                f"transfer:{transfer.pk}",
                transfer.valid_until,
                transfer.valid_until < today,
                _("Transfer letter %(letter)s of %(name)s expires")
                % {"letter": transfer.letter_number, "name": transfer.member.name},
                unit_id,
                transfer.member_id,
                transfer.pk,
            )
        )

    lapse_before = first_of_month(add_months(today, -limits[K.DUES_LAPSE_MONTHS]))
    lapsed = (
        Member.objects.active()
        .party_members()
        .in_subtree(organization)
        .filter(joined_on__lt=lapse_before)
        .annotate(last_paid=Max("dues_payments__month"), exempt=exempt_through(first_of_month(today)))
        .filter(Q(last_paid__isnull=True) | Q(last_paid__lt=lapse_before))
        # An approved exemption covering a month of the window settles it (issue 22).
        .filter(Q(exempt__isnull=True) | Q(exempt__lt=lapse_before))
        .values("pk", "name", "branch_id", "last_paid")
    )  # 4
    for row in lapsed:
        items.append(
            DueItem(
                "dues",
                f"dues:{row['pk']}:{lapse_before:%Y-%m}",
                lapse_before,
                True,
                _("%(name)s has paid no dues for %(m)d months")
                % {"name": row["name"], "m": limits[K.DUES_LAPSE_MONTHS]},
                row["branch_id"],
                row["pk"],
            )
        )

    visited = CareVisit.objects.filter(occasion=OuterRef("pk"))
    for occasion in (
        CareOccasion.objects.filter(member__branch__path__startswith=organization.path)
        .filter(~Exists(visited))
        .select_related("member", "kind")
    ):  # 5
        due = occasion.noted_on + datetime.timedelta(days=occasion.kind.visit_within_days)
        if due > soon:
            continue
        items.append(
            DueItem(
                "care",
                f"care:{occasion.pk}",
                due,
                due < today,
                _("Visit %(name)s (%(occasion)s)")
                % {"name": occasion.member.name, "occasion": occasion.kind.name},
                occasion.member.branch_id,
                occasion.member_id,
                occasion.pk,
            )
        )

    for unit, ends, level in terms_due(organization=organization, today=today, limits=limits):  # 6
        text = (
            _("The term of %(unit)s ended on %(date)s: hold the election")
            if level == "overdue"
            else _("The term of %(unit)s ends on %(date)s: prepare the election")
        )
        items.append(
            DueItem(
                "term",
                f"term:{unit.pk}:{ends.isoformat()}:{level}",
                ends,
                level == "overdue",
                text % {"unit": unit.display_name, "date": prose_date(ends)},
                unit.pk,
            )
        )
    # Exemptions waiting for the unit's decision (issue 22): the approving committee's to-do, due since asked.
    for exemption in (
        DuesExemption.objects.filter(
            approver__path__startswith=organization.path, status=DuesExemption.Status.SUBMITTED
        )
        .select_related("member", "branch")
        .order_by("pk")
    ):  # 7
        asked = timezone.localdate(exemption.requested_at)
        items.append(
            DueItem(
                "exemption",
                f"exemption:{exemption.pk}",
                asked,
                False,
                _("Decide the dues exemption of %(name)s (%(branch)s)")
                % {"name": exemption.member.name, "branch": exemption.branch.display_name},
                exemption.approver_id,
                exemption.member_id,
                exemption.pk,
            )
        )
    items.sort(key=lambda item: (not item.overdue, item.due_on, item.key))
    return items


# --- terms ------------------------------------------------------------------------------------------------------


def terms_due(
    *, organization: Organization, today: datetime.date, limits: dict | None = None
) -> list[tuple[Organization, datetime.date, str]]:
    """Units in the subtree whose term ends within the first reminder, or has ended: (unit, end, level) with
    level "overdue", "3" (second reminder) or "6" (first reminder). One query."""
    limits = limits or rules()
    first = add_months(today, limits[K.TERM_FIRST_REMINDER_MONTHS])
    second = add_months(today, limits[K.TERM_SECOND_REMINDER_MONTHS])
    # term_ends_on is term_started_on + term_years: one range condition per possible term length.
    ending = Q()
    for years in range(1, 6):
        ending |= Q(term_years=years, term_started_on__lte=add_years(first, -years))
    units = (
        Organization.objects.filter(path__startswith=organization.path, is_active=True)
        .exclude(kind=Organization.Kind.GROUP)
        .filter(term_started_on__isnull=False)
        .filter(ending)
        .order_by("path")
    )
    result = []
    for unit in units:
        ends = unit.term_ends_on
        level = (
            "overdue"
            if ends < today
            else (
                str(limits[K.TERM_SECOND_REMINDER_MONTHS])
                if ends <= second
                else str(limits[K.TERM_FIRST_REMINDER_MONTHS])
            )
        )
        result.append((unit, ends, level))
    result.sort(key=lambda row: row[1])
    return result


# --- transfers ----------------------------------------------------------------------------------------------------


def transfers_for(*, organization: Organization, status: str | None = None) -> QuerySet[Transfer]:
    """Transfers leaving or reaching the subtree, newest first. One query."""
    in_subtree = Q(from_branch__path__startswith=organization.path) | Q(
        to_branch__path__startswith=organization.path
    )
    transfers = Transfer.objects.filter(in_subtree)
    if status:
        transfers = transfers.filter(status=status)
    return transfers.select_related("member", "from_branch", "to_branch").order_by("-issued_on", "-pk")


# --- dues ------------------------------------------------------------------------------------------------------


def _declared_amounts(members: list[Member], until: datetime.date) -> dict[int, list[DuesDeclaration]]:
    declarations: dict[int, list[DuesDeclaration]] = {}
    for d in DuesDeclaration.objects.filter(
        member__in=[m.pk for m in members], valid_from__lte=until
    ).order_by("member_id", "valid_from"):
        declarations.setdefault(d.member_id, []).append(d)
    return declarations


def _amount_on(declarations: list[DuesDeclaration], month: datetime.date) -> DuesDeclaration | None:
    found = None
    for declaration in declarations:
        if declaration.valid_from <= month:
            found = declaration
    return found


def dues_ledger(*, branch: Organization, month: datetime.date) -> list[dict]:
    """One month of a branch's ledger: each party member with the declared amount and the recorded line.
    Three queries (members, declarations, payments)."""
    month = first_of_month(month)
    members = list(Member.objects.active().party_members().filter(branch=branch).order_by("name", "pk"))
    declarations = _declared_amounts(members, month)
    payments = {
        p.member_id: p
        for p in DuesPayment.objects.filter(branch=branch, month=month).select_related("paid_by")
    }
    rows = []
    for member in members:
        declaration = _amount_on(declarations.get(member.pk, []), month)
        rows.append({"member": member, "declaration": declaration, "payment": payments.get(member.pk)})
    return rows


def dues_year_list(*, branch: Organization, year: int, today: datetime.date) -> dict:
    """The year's public list (张榜公布) of a branch: each party member's twelve months and total, the months
    still unpaid (arrears) up to this month. Three queries."""
    months = [datetime.date(year, m, 1) for m in range(1, 13)]
    last = min(first_of_month(today), months[-1])
    members = list(Member.objects.active().party_members().filter(branch=branch).order_by("name", "pk"))
    declarations = _declared_amounts(members, months[-1])
    payments: dict[tuple[int, datetime.date], DuesPayment] = {
        (p.member_id, p.month): p
        for p in DuesPayment.objects.filter(member__in=[m.pk for m in members], month__year=year)
    }
    rows = []
    total = Decimal(0)
    for member in members:
        cells, paid, arrears = [], Decimal(0), []
        for month in months:
            payment = payments.get((member.pk, month))
            declaration = _amount_on(declarations.get(member.pk, []), month)
            if payment:
                paid += payment.amount
            elif (
                declaration
                and month <= last
                and (member.joined_on is None or month >= first_of_month(member.joined_on))
            ):
                arrears.append(month)
            cells.append(
                {"month": month, "payment": payment, "owed": declaration.amount if declaration else None}
            )
        total += paid
        rows.append({"member": member, "cells": cells, "paid": paid, "arrears": arrears})
    return {
        "year": year,
        "months": months,
        "rows": rows,
        "total": total,
        "until": last,
        "until_end": month_end(last.year, last.month),
    }


# --- care --------------------------------------------------------------------------------------------------------


def care_occasions(*, organization: Organization, today: datetime.date) -> list[dict]:
    """Occasions in the subtree, newest first, with their visits and whether a visit is overdue. Two queries."""
    occasions = (
        CareOccasion.objects.filter(member__branch__path__startswith=organization.path)
        .select_related("member", "kind")
        .prefetch_related("visits")
        .order_by("-noted_on", "-pk")
    )
    rows = []
    for occasion in occasions:
        visits = list(occasion.visits.all())
        due = occasion.noted_on + datetime.timedelta(days=occasion.kind.visit_within_days)
        rows.append(
            {"occasion": occasion, "visits": visits, "due": due, "overdue": not visits and due < today}
        )
    return rows


def member_dues_summary(*, member: Member, today: datetime.date) -> dict:
    """A member's own dues for their home (issue 22): this month's declared amount and line, and the months
    of this year up to this one without a line (those an approved exemption covers are not owed: issue 22),
    and the exemption covering this month. Three queries (declarations, this year's lines, exemptions)."""
    month = first_of_month(today)
    declaration = _amount_on(_declared_amounts([member], month).get(member.pk, []), month)
    lines = {p.month: p for p in DuesPayment.objects.filter(member=member, month__year=month.year)}
    exemptions = list(
        DuesExemption.objects.approved().filter(
            member=member, first_month__lte=month, last_month__gte=datetime.date(month.year, 1, 1)
        )
    )
    since = first_of_month(declaration.valid_from) if declaration else month
    open_months = [datetime.date(month.year, m, 1) for m in range(1, month.month + 1)]

    def exempt(m: datetime.date) -> bool:
        return any(e.first_month <= m <= e.last_month for e in exemptions)

    unpaid = [m for m in open_months if m not in lines and m >= min(since, month) and not exempt(m)]
    exemption = next((e for e in exemptions if e.first_month <= month <= e.last_month), None)
    return {
        "month": month,
        "declaration": declaration,
        "line": lines.get(month),
        "unpaid": unpaid,
        "exemption": exemption,
    }


# --- dues exemptions (issue 22) ------------------------------------------------------------------------------

EXEMPTIONS_SHOWN = 200  # a page lists at most this many requests: the open ones first, then the newest


def dues_exemptions_of(*, organization: Organization) -> list[DuesExemption]:
    """The exemption requests of the branches in ``organization``'s subtree: those awaiting approval first,
    then the newest, at most ``EXEMPTIONS_SHOWN``. One query."""
    waiting = Case(When(status=DuesExemption.Status.SUBMITTED, then=Value(0)), default=Value(1))
    return list(
        DuesExemption.objects.filter(branch__path__startswith=organization.path)
        .select_related("member", "branch", "approver", "requested_by", "reviewed_by")
        .order_by(waiting, "-requested_at", "-pk")[:EXEMPTIONS_SHOWN]
    )


def dues_exemption_deciders(*, user, exemptions: list[DuesExemption]) -> set[int]:
    """The approving units among ``exemptions``' on which ``user`` decides (manage_units). One query (none
    when nothing waits)."""
    approvers = {e.approver_id for e in exemptions if e.status == DuesExemption.Status.SUBMITTED}
    if not approvers:
        return set()
    return set(
        organizations_with_permission(user=user, codename=MANAGE_UNITS)
        .filter(pk__in=approvers)
        .values_list("pk", flat=True)
    )


def term_candidates(*, organization: Organization) -> QuerySet[TermCandidate]:
    """The candidates for the unit's next election (those named for the term it is in now), in the order
    they were added, with their member records. One query."""
    return (
        TermCandidate.objects.filter(organization=organization, term_started_on=organization.term_started_on)
        .select_related("member")
        .order_by("pk")
    )


def term_election_current(*, organization: Organization) -> TermElection | None:
    """The recorded election that began the unit's current term (its 决议's source, issue 21), with its seats
    and the seated people's member records; None when the term began without one recorded here. Two
    queries (the election, its seats)."""
    if organization.term_started_on is None:
        return None
    return (
        TermElection.objects.filter(organization=organization, elected_on=organization.term_started_on)
        .prefetch_related(
            Prefetch("seats", queryset=ElectedSeat.objects.select_related("user__member").order_by("pk"))
        )
        .first()
    )
