"""members' blocks of the 组织部 dashboard (``branches.figures``): the counts ``party_stats`` reports, the
development pipeline, terms due and dues arrears. Each collector is a fixed number of grouped queries over
the subtree, whatever its size."""

from __future__ import annotations

import datetime

from django.db.models import Count, Max, Q, Sum
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from branches.figures import Block, Column, Figures, register_block
from branches.models import Organization
from members.models import DuesPayment, Member, exempt_through
from members.rules import K, add_months, rules
from members.selectors import AGE_BANDS, _age_band_expression
from members.selectors.lifecycle import lifecycle_due, terms_due

STAFF = Organization.STAFF_CATEGORIES


# --- counts: the figures of party_stats, per unit ----------------------------------------------------------------


def collect_counts(root: Organization, today: datetime.date):
    """Two queries, like ``party_stats``: the active organizations, and the active people grouped by branch,
    stage, category, gender and age band."""
    for pk, kind, category, unit_type in (
        Organization.objects.subtree_of(root)
        .filter(is_active=True)
        .order_by()
        .values_list("pk", "kind", "category", "unit_type")
    ):
        figures: Figures = {f"org_{kind}": 1}
        if kind == Organization.Kind.BRANCH and category:
            figures[f"branches_{category}"] = 1
        if kind in Organization.SECONDARY_KINDS and unit_type:
            figures[f"secondary_{unit_type}"] = 1
        yield pk, figures
    rows = (
        Member.objects.active()
        .in_subtree(root)
        .values("branch_id", "stage", "category", "gender")
        .annotate(age_band=_age_band_expression(today))
        .values("branch_id", "stage", "category", "gender", "age_band")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        n = row["n"]
        figures = {f"stage_{row['stage']}": n}
        if row["stage"] in Member.PARTY_STAGES:
            figures[f"party_{row['category']}"] = n
            figures[f"gender_{row['gender']}"] = n
            figures[f"age_{row['age_band']}"] = n
        yield row["branch_id"], figures


def derive_counts(values: Figures, as_of: datetime.date) -> Figures:
    get = values.get
    return {
        "secondary": sum(get(f"org_{k}", 0) for k in Organization.SECONDARY_KINDS),
        "branches": get("org_branch", 0),
        "staff_branches": sum(get(f"branches_{c}", 0) for c in STAFF),
        "party_members": get(f"stage_{Member.Stage.PROBATIONARY}", 0) + get(f"stage_{Member.Stage.FULL}", 0),
        "staff_party_members": sum(get(f"party_{c}", 0) for c in STAFF),
    }


def counts_as_party_stats(values: Figures) -> dict:
    """The stored counts in ``party_stats``'s shape (minus the unit and date), for checks and exports."""
    get = values.get
    return {
        "organizations_by_kind": {k: get(f"org_{k}", 0) for k in Organization.Kind.values},
        "secondary_committees_by_unit_type": {
            u: get(f"secondary_{u}", 0) for u in Organization.UnitType.values
        },
        "branches_by_category": {c: get(f"branches_{c}", 0) for c in Organization.Category.values},
        "party_members_by_category": {c: get(f"party_{c}", 0) for c in Organization.Category.values},
        "people_by_stage": {s: get(f"stage_{s}", 0) for s in Member.Stage.values},
        "party_members_by_gender": {g: get(f"gender_{g}", 0) for g in Member.Gender.values},
        "party_members_by_age_band": {key: get(f"age_{key}", 0) for key, _oldest in AGE_BANDS},
    }


register_block(
    Block(
        key="counts",
        title=_("Organizations and party members"),
        collect=collect_counts,
        derive=derive_counts,
        columns=(
            Column("secondary", _("Secondary committees")),
            Column("branches", _("Branches")),
            Column("party_members", _("Party members")),
            Column(f"party_{Organization.Category.TEACHER}", _("Teachers")),
            Column(f"party_{Organization.Category.ADMIN_STAFF}", _("Administrative staff")),
            Column(f"party_{Organization.Category.STUDENT}", _("Students")),
            Column(f"party_{Organization.Category.RETIREE}", _("Retirees")),
            Column(f"stage_{Member.Stage.PROBATIONARY}", _("Probationary members")),
        ),
        chart="bar",
        chart_keys=tuple(f"party_{c}" for c in Organization.Category.values),
        order=10,
        note=_("Active organizations and people, the same figures as party_stats."),
    )
)


# --- development pipeline -----------------------------------------------------------------------------------------

PIPELINE = (Member.Stage.APPLICANT, Member.Stage.ACTIVIST, Member.Stage.CANDIDATE, Member.Stage.PROBATIONARY)


def collect_development(root: Organization, today: datetime.date):
    """One query: people in the pipeline by branch and stage, and those admitted this year."""
    year_start = datetime.date(today.year, 1, 1)
    rows = (
        Member.objects.active()
        .in_subtree(root)
        .filter(stage__in=PIPELINE + (Member.Stage.FULL,))
        .values("branch_id", "stage")
        .annotate(
            n=Count("pk"), admitted=Count("pk", filter=Q(joined_on__gte=year_start, joined_on__lte=today))
        )
        .order_by()
    )
    for row in rows:
        figures: Figures = {"admitted": row["admitted"]}
        if row["stage"] in PIPELINE:
            figures[f"stage_{row['stage']}"] = row["n"]
        yield row["branch_id"], figures


register_block(
    Block(
        key="development",
        title=_("Member development"),
        collect=collect_development,
        columns=(
            Column(f"stage_{Member.Stage.APPLICANT}", _("Applicants")),
            Column(f"stage_{Member.Stage.ACTIVIST}", _("Activists")),
            Column(f"stage_{Member.Stage.CANDIDATE}", _("Development targets")),
            Column(f"stage_{Member.Stage.PROBATIONARY}", _("Probationary members")),
            Column("admitted", _("Admitted this year")),
        ),
        chart="bar",
        chart_keys=tuple(f"stage_{s}" for s in PIPELINE),
        order=70,
        note=_(
            "People at each stage of the pipeline; admitted this year counts joining dates since 1 January."
        ),
    )
)


# --- terms ----------------------------------------------------------------------------------------------------------


def collect_terms(root: Organization, today: datetime.date):
    """Two queries: the rules, then the units whose term has ended or ends within the first reminder."""
    limits = rules()
    for unit, _ends, level in terms_due(organization=root, today=today, limits=limits):
        yield unit.pk, {"overdue" if level == "overdue" else "due_soon": 1}


register_block(
    Block(
        key="terms",
        title=_("Terms due"),
        collect=collect_terms,
        columns=(
            Column("overdue", _("Term ended, election not held")),
            Column("due_soon", _("Term ends within six months")),
        ),
        chart="bar",
        chart_keys=("overdue", "due_soon"),
        order=80,
        note=_("Units of the subtree (the unit itself included) by the end of their committee's term."),
    )
)


# --- dues ------------------------------------------------------------------------------------------------------------


def collect_dues(root: Organization, today: datetime.date):
    """Three queries: the rules, each party member's last settled month (grouped by branch in Python) and the
    dues received this year by branch. A member is in arrears when last month is not settled (paid, paid on
    their behalf or exempt, or covered by an approved exemption); lapsed after the rule's months (6) without any."""
    limits = rules()
    this_month = today.replace(day=1)
    last_month = add_months(this_month, -1)
    lapse_before = add_months(this_month, -limits[K.DUES_LAPSE_MONTHS])
    members = (
        Member.objects.active()
        .party_members()
        .in_subtree(root)
        .filter(Q(joined_on__isnull=True) | Q(joined_on__lt=this_month))
        .annotate(last_paid=Max("dues_payments__month"), exempt=exempt_through(this_month))
        .order_by()
        .values_list("branch_id", "last_paid", "exempt")
    )
    per_branch: dict[int, dict[str, int]] = {}
    for branch_id, last_paid, exempt in members:
        # An approved exemption's months are settled months too (issue 22).
        last = max((month for month in (last_paid, exempt) if month is not None), default=None)
        figures = per_branch.setdefault(branch_id, {"members": 0, "arrears": 0, "lapsed": 0})
        figures["members"] += 1
        if last is None or last < last_month:
            figures["arrears"] += 1
        if last is None or last < lapse_before:
            figures["lapsed"] += 1
    yield from per_branch.items()
    received = (
        DuesPayment.objects.filter(branch__path__startswith=root.path, month__year=today.year)
        .exclude(status=DuesPayment.Status.EXEMPT)
        .values("branch_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in received:
        yield row["branch_id"], {"received_fen": int(row["total"] * 100)}


def derive_dues(values: Figures, as_of: datetime.date) -> Figures:
    members = values.get("members", 0)
    return {"arrears_share": values.get("arrears", 0) / members if members else None}


register_block(
    Block(
        key="dues",
        title=_("Dues arrears"),
        collect=collect_dues,
        derive=derive_dues,
        columns=(
            Column("members", _("Party members")),
            Column("arrears", _("In arrears")),
            Column("arrears_share", _("Share in arrears"), "percent"),
            Column("lapsed", _("Six months or more")),
            Column("received_fen", _("Received this year"), "money"),
        ),
        chart="bar",
        chart_keys=("arrears", "lapsed"),
        stacked=False,
        order=90,
        note=_("In arrears: last month not settled (paid, paid on their behalf or exempt)."),
    )
)


# --- due and overdue (the unit page's lifecycle panel above a committee) ---------------------------------------------

DUE_TOPICS = (
    ("development", _("Development")),
    ("transfer", _("Transfers")),
    ("dues", _("Dues")),
    ("care", _("Care visits")),
    ("term", pgettext_lazy("election", "Terms")),
)


def collect_due(root: Organization, today: datetime.date):
    """``lifecycle_due``'s six queries over the subtree: each item counted at its unit, by topic, and overdue."""
    for item in lifecycle_due(organization=root, today=today):
        figures: Figures = {item.topic: 1, "all": 1}
        if item.overdue:
            figures[f"{item.topic}_overdue"] = 1
            figures["overdue"] = 1
        yield item.organization_id, figures


register_block(
    Block(
        key="due",
        title=_("Member lifecycle: due and overdue"),
        collect=collect_due,
        columns=(*(Column(key, label) for key, label in DUE_TOPICS), Column("overdue", _("Overdue"))),
        chart="bar",
        chart_keys=tuple(key for key, _label in DUE_TOPICS),
        order=95,
    )
)


def watch_writes() -> None:
    from branches.figures import watch
    from branches.models import Organization as Org

    watch(Member, lambda member: member.branch_id)
    watch(DuesPayment, lambda payment: payment.branch_id)
    watch(Org, lambda unit: unit)
