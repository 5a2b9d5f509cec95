"""The year-end dues list (党费收缴张榜公布) of a branch, published as an internal notice: every party member's
payments of the year and the months still unpaid, for the members of the university (not the public).
``members`` computes the list (``dues_year_list``); it cannot import posts (DESIGN §3), so this lives here."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import Organization
from disclosure.models import Post, PostCategory
from disclosure.services.posts import post_save
from members.selectors.lifecycle import dues_year_list
from members.services.dues import require_record_dues


def dues_list_title(year: int) -> str:
    return _("Party dues paid in %(year)s") % {"year": year}


@transaction.atomic
def dues_list_publish(
    *, branch: Organization, year: int, by: User, today: datetime.date | None = None
) -> Post:
    """Publish (or bring up to date) the branch's dues list of ``year`` as one internal notice. Publishing
    again replaces the body of the same post, so the notice always shows the latest ledger."""
    if branch.kind != Organization.Kind.BRANCH:
        raise ValidationError(_("Only a branch keeps a dues ledger."))
    require_record_dues(by=by, branch=branch)  # the branch's list, published by the branch (issue 22)
    today = today or timezone.localdate()
    listing = dues_year_list(branch=branch, year=year, today=today)
    if not listing["rows"]:
        raise ValidationError(_("The branch has no party members to list."))
    for row in listing["rows"]:
        row["paid_months"] = sum(1 for cell in row["cells"] if cell["payment"] is not None)
    body = render_to_string(
        "disclosure/posts/dues_list_body.html", {"listing": listing, "branch": branch, "today": today}
    )
    category = (
        PostCategory.objects.filter(code="notice", is_active=True).first()
        or PostCategory.objects.filter(is_active=True).first()
    )
    if category is None:
        raise ValidationError(_("No post category is active; ask the administrator to add one."))
    title = dues_list_title(year)
    existing = (
        Post.objects.select_for_update()
        .filter(organization=branch, section=Post.Section.NOTICES, title=title)
        .first()
    )
    return post_save(
        by=by,
        organization=branch,
        post=existing,
        publish=True,
        data={
            "section": Post.Section.NOTICES,
            "category": category,
            "title": title,
            "body": body,
            "visibility": Post.Visibility.UNIVERSITY,
        },
    )
