"""The disclosure app's tables: meetings and their minutes (``meetings``), posts on the public pages
(``posts``). Import paths stay ``disclosure.models.X``."""

from disclosure.models.meetings import (  # noqa: F401
    Attachment,
    Attendance,
    Meeting,
    MeetingQuerySet,
    MeetingRule,
    Period,
    ReviewRoute,
    Todo,
    TodoQuerySet,
    attachment_path,
)
from disclosure.models.decisions import Decision  # noqa: F401  (issue 18)
from disclosure.models.sign_in import AttendanceCorrection, SignIn  # noqa: F401  (issue 20)
from disclosure.models.posts import (  # noqa: F401
    PublishingRule,
    Post,
    PostAttachment,
    PostCategory,
    PostQuerySet,
    post_attachment_path,
)
