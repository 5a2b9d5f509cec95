"""The menu's 审核 entry (issue 22): shown to those who review minutes somewhere (manage_units on a unit).

Asking on every page would add a query to each; the answer is kept in the session at sign-in instead (one
query then), and computed once for a session that predates this. A role given or ended shows in the menu
from the next sign-in; the review page itself always checks the permission.
"""

from __future__ import annotations

from django.http import HttpRequest

from branches.selectors import MANAGE_UNITS, organizations_with_permission

SESSION_KEY = "menu_may_review"


def may_review_anywhere(user) -> bool:
    """Whether ``user`` reviews minutes of some unit. One query (none for a superuser)."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or organizations_with_permission(user=user, codename=MANAGE_UNITS).exists()


def remember_review_rights(sender, request: HttpRequest | None, user, **kwargs) -> None:
    """user_logged_in receiver: store the menu's answer in the new session."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = may_review_anywhere(user)


def menu_may_review(request: HttpRequest) -> bool:
    session = getattr(request, "session", None)
    if session is None or not request.user.is_authenticated:
        return False
    if SESSION_KEY not in session:
        session[SESSION_KEY] = may_review_anywhere(request.user)
    return bool(session[SESSION_KEY])
