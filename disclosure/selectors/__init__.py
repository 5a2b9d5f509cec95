"""Reads: meetings and compliance (``meetings``), posts and the public site (``posts``), benchmarking
(``benchmark``). Import from here."""

from disclosure.selectors.meetings import *  # noqa: F401,F403
from disclosure.selectors.posts import *  # noqa: F401,F403
