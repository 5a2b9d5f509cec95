"""The branch's tasks this month on the member's home (members.panels.register_member_panel, issue 22): the
meetings the rules require in the period running now and how many are held, from the same compliance report
as the branch page."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from branches.models import Organization
from disclosure.panels import todos_html
from disclosure.selectors import compliance


def todos_panel(request: HttpRequest, member) -> str | None:
    """The member's own open to-dos at the top of their home (write the 个人自评, cast the 测评, a grade
    approved, a form to fill): the unit page's panel, for the member who has no unit page. One query; nothing
    when someone else's record is shown."""
    if member.user_id != request.user.pk:
        return None
    html = todos_html(request)
    return f'<div class="col-12" id="home-todos">{html}</div>' if html else None  # the row's full width


def branch_tasks_panel(request: HttpRequest, member) -> str | None:
    """The periods running this month (monthly, this quarter's, this year's) with held / required. Four
    queries (compliance's); nothing for a member without an active branch."""
    branch = member.branch
    if branch is None or branch.kind != Organization.Kind.BRANCH or not branch.is_active:
        return None
    today = timezone.localdate()
    report = compliance(root=branch, year=today.year, today=today)
    tasks = []
    for row in report[0].rows if report else []:
        for cell in row.cells:
            if cell.first_month <= today.month <= cell.last_month:
                tasks.append({"label": row.label, "period": row.period, "cell": cell})
    tasks.sort(key=lambda task: (task["cell"].state == "done", task["cell"].ends_on))
    return render_to_string(
        "disclosure/panels/member_tasks.html",
        {"branch": branch, "tasks": tasks, "today": today},
        request=request,
    )
