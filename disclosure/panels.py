"""What the minutes add to the unit page (members.panels): the user's to-dos on top; below, a branch's
compliance month by month, or a committee's branches with who is behind.

Each panel runs a fixed number of queries (the unit page's count is pinned in tests/test_unit_pages.py).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS

from branches.models import Organization
from branches.selectors import MANAGE_MEMBERS, MANAGE_UNITS, organization_permission_holds
from disclosure.models import Meeting, Todo
from disclosure.selectors import compliance, filing_lag_summary, open_todos
from disclosure.selectors.posts import POST_UNIT_KINDS

TODO_LIMIT = 20
COMMITTEE_PANEL_KINDS = (
    Organization.Kind.UNIVERSITY,
    Organization.Kind.COMMITTEE,
    Organization.Kind.GENERAL_BRANCH,
)


# "lifecycle:<topic>:<id>…" (services.todos): where each kind of member affair is handled.
LIFECYCLE_PAGES = {
    "transfer": "members:transfers",
    "dues": "members:dues",
    "care": "members:care",
    "term": "members:terms",
    "exemption": "members:dues_exemptions",
}


def _todo_url(todo: Todo) -> str:
    if todo.link:
        return todo.link
    if todo.kind == Todo.Kind.MEMBER_AFFAIRS:
        parts = todo.key.split(":")
        if len(parts) > 2 and parts[1] == "development":
            return reverse("members:development_case", args=[parts[2]])
        return reverse(
            LIFECYCLE_PAGES.get(parts[1] if len(parts) > 1 else "", "members:development"),
            args=[todo.organization_id],
        )
    if todo.meeting_id is not None:
        if todo.kind == Todo.Kind.RETURNED:
            return reverse("disclosure:edit", args=[todo.meeting_id])
        return reverse("disclosure:detail", args=[todo.meeting_id])
    url = reverse("disclosure:create", args=[todo.organization_id])
    # "missing:<branch>:<kind>:<period>" (services.reminders_advance): open the form on that meeting type.
    parts = todo.key.split(":")
    if todo.kind == Todo.Kind.MEETING_MISSING and len(parts) == 4 and parts[2] in Meeting.Kind.values:
        url += f"?kind={parts[2]}"
    return url


def todos_panel(request: HttpRequest, unit: Organization) -> str | None:
    """The user's open to-dos, whatever unit the page shows (the unit page is everyone's home). One query."""
    return todos_html(request)


def todos_html(request: HttpRequest) -> str | None:
    """The signed-in user's open to-dos as the panel shows them, on a unit page or the member's own home
    (a member without a unit role has no unit page: issue 22's review found dy001's 民主评议 to-dos nowhere).
    One query."""
    todos = list(open_todos(user=request.user)[: TODO_LIMIT + 1])
    if not todos:
        return None
    today = timezone.localdate()
    items = [
        {"todo": todo, "url": _todo_url(todo), "overdue": bool(todo.due_on and todo.due_on < today)}
        for todo in todos[:TODO_LIMIT]
    ]
    return render_to_string(
        "disclosure/panels/todos.html", {"items": items, "more": len(todos) > TODO_LIMIT}, request=request
    )


def actions_panel(request: HttpRequest, unit: Organization) -> str | None:
    """The three buttons a secretary uses most (issue 22): file a meeting, publish a post, review — at the
    very top of the unit page, so they are within a phone's first screen. Shown where the user may file
    minutes (manage_members on the unit). 审核 leads a reviewer to the review queue and a branch (which
    reviews nobody) to its own records and their review status. One query (two above a branch for a
    secretary who does not review)."""
    if not unit.is_active or unit.kind == Organization.Kind.GROUP:
        return None
    # Above a branch, the roles that review (manage_units) also file and post: one query for them.
    reviews = unit.kind != Organization.Kind.BRANCH and organization_permission_holds(
        user=request.user, organization=unit, codename=MANAGE_UNITS
    )
    if not reviews and not organization_permission_holds(
        user=request.user, organization=unit, codename=MANAGE_MEMBERS
    ):
        return None
    context = {
        "unit": unit,
        "may_post": unit.kind in POST_UNIT_KINDS,
        "review_url": reverse("disclosure:review_queue")
        if reviews
        else reverse("disclosure:list", args=[unit.pk]),
        "reviews": reviews,
    }
    return render_to_string("disclosure/panels/actions.html", context, request=request)


def _month_headers() -> list[tuple[int, str]]:
    return [(month, MONTHS[month]) for month in range(1, 13)]


def branch_compliance_panel(request: HttpRequest, unit: Organization) -> str | None:
    """This year's held vs required, per meeting type and period, laid out on twelve months.
    Five queries: compliance's four and whether the user may file minutes here."""
    if unit.kind != Organization.Kind.BRANCH:
        return None
    today = timezone.localdate()
    report = compliance(root=unit, year=today.year, today=today)
    if not report:  # a deactivated branch owes no meetings
        return None
    entry = report[0]
    rows = []
    for row in entry.rows:
        rows.append(
            {
                "kind": row.kind,
                "label": row.label,
                "period": row.period,
                "cells": [
                    {"cell": cell, "span": cell.last_month - cell.first_month + 1} for cell in row.cells
                ],
            }
        )
    context = {
        "unit": unit,
        "year": today.year,
        "entry": entry,
        "rows": rows,
        "months": _month_headers(),
        "can_file": unit.is_active
        and organization_permission_holds(user=request.user, organization=unit, codename=MANAGE_MEMBERS),
    }
    return render_to_string("disclosure/panels/branch_compliance.html", context, request=request)


def committee_compliance_panel(request: HttpRequest, unit: Organization) -> str | None:
    """Every branch below with its missing / due / done periods, those behind first, and how promptly
    minutes are filed. Seven or eight queries: compliance's four, the lag summary, two permissions and,
    for reviewers, the records waiting at this unit."""
    if unit.kind not in COMMITTEE_PANEL_KINDS:
        return None
    today = timezone.localdate()
    if unit.kind == Organization.Kind.UNIVERSITY:
        html = _subunits_compliance_panel(request, unit, today)
        if html is not None:
            return html
    report = compliance(root=unit, year=today.year, today=today)
    report.sort(key=lambda entry: (-entry.missing, -entry.due, entry.branch.path))
    may_review = organization_permission_holds(user=request.user, organization=unit, codename=MANAGE_UNITS)
    waiting = (
        Meeting.objects.filter(reviewer=unit, status=Meeting.Status.SUBMITTED).count() if may_review else None
    )
    context = {
        "unit": unit,
        "year": today.year,
        "report": report,
        "behind": sum(1 for entry in report if entry.behind),
        "lag": filing_lag_summary(root=unit, year=today.year),
        "may_review": may_review,
        "waiting": waiting,
        "can_file": unit.is_active
        and organization_permission_holds(user=request.user, organization=unit, codename=MANAGE_MEMBERS),
    }
    return render_to_string("disclosure/panels/committee_compliance.html", context, request=request)


def _subunits_compliance_panel(request: HttpRequest, unit: Organization, today) -> str | None:
    """A university's panel: one row per subunit (its branches, those behind, the periods missed, in progress
    and done) from the dashboard's snapshot (the ``meetings`` block), those with branches behind first, instead
    of every branch of the university counted live. Four queries: the unit's and its subunits' snapshot rows,
    may review, the records waiting, may file. None before the first snapshot (the live panel then)."""
    rows = list(
        Organization.objects.filter(path__startswith=unit.path, depth__in=[unit.depth, unit.depth + 1])
        .exclude(kind=Organization.Kind.GROUP)
        .select_related("figures")
        .order_by("path")
    )
    own = next((row for row in rows if row.pk == unit.pk), None)
    stored = getattr(own, "figures", None) if own is not None else None
    if stored is None:
        return None

    def summary(org: Organization) -> dict:
        figures = getattr(org, "figures", None)
        values = figures.data.get("meetings", {}) if figures is not None else {}
        months = range(1, 13)
        return {
            "unit": org,
            "branches": values.get("branches", 0),
            "behind": values.get("behind", 0),
            "missing": sum(values.get(f"missing_{m}", 0) for m in months),
            "due": sum(values.get(f"due_{m}", 0) for m in months),
            "done": sum(values.get(f"done_{m}", 0) for m in months),
            "filed": values.get("filed", 0),
            "late": values.get("late", 0),
            "average_lag": values["lag_days"] / values["lagged"] if values.get("lagged") else None,
        }

    total = summary(own)
    subunits = [summary(row) for row in rows if row.pk != unit.pk and row.is_active]
    subunits.sort(key=lambda row: (-row["behind"], -row["missing"], row["unit"].path))
    may_review = organization_permission_holds(user=request.user, organization=unit, codename=MANAGE_UNITS)
    context = {
        "unit": unit,
        "year": today.year,
        "total": total,
        "subunits": subunits,
        "figures_at": stored.computed_at,
        "may_review": may_review,
        "waiting": (
            Meeting.objects.filter(reviewer=unit, status=Meeting.Status.SUBMITTED).count()
            if may_review
            else None
        ),
        "can_file": unit.is_active
        and organization_permission_holds(user=request.user, organization=unit, codename=MANAGE_MEMBERS),
    }
    return render_to_string("disclosure/panels/subunits_compliance.html", context, request=request)
