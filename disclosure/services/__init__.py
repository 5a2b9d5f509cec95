"""Writes: meetings and their minutes (``meetings``), posts and publishing (``posts``). Import from here."""

from disclosure.services.meetings import *  # noqa: F401,F403
from disclosure.services.meetings import _review_todos, _users_with_roles  # noqa: F401
from disclosure.services.posts import *  # noqa: F401,F403
