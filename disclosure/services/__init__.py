"""Writes: meetings and their minutes (``meetings``), posts and publishing (``posts``), the member-affairs
to-dos (``todos``). Import from here."""

from disclosure.services.meetings import *  # noqa: F401,F403
from disclosure.services.meetings import _review_todos, _users_with_roles  # noqa: F401
from disclosure.services.posts import *  # noqa: F401,F403
from disclosure.services.todos import lifecycle_todos_advance  # noqa: F401
from disclosure.services.dues_list import dues_list_publish  # noqa: F401
