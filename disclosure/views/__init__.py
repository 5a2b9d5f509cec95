"""Pages: the minutes (``meetings``), the secretaries' posts (``posts``), the public site (``public``)."""

from disclosure.views.meetings import *  # noqa: F401,F403
from disclosure.views.posts import *  # noqa: F401,F403
from disclosure.views.public import *  # noqa: F401,F403
from disclosure.views.sign_in import *  # noqa: F401,F403  (issue 20)
