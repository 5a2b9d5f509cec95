"""The to-do list as notification sources (issue 20): every open to-do the daily step keeps (minutes to hold,
minutes to review or returned, the member lifecycle's development steps, terms, dues lapses, transfers and care
visits, the assessment's phases, the member evaluation's self-evaluation, vote and approved grade) reaches its owner through ``notifications``. Registered from here, the higher
app, so ``notifications`` imports only ``branches`` (DESIGN §10)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from disclosure.models import Todo
from notifications.sources import Due, Source, register_source


def _todos(kind: str, prefix: str = ""):
    def collect(today: datetime.date) -> Iterable[Due]:
        """The open to-dos of ``kind`` (whose key starts with ``prefix``). One query."""
        todos = Todo.objects.open().filter(kind=kind)
        if prefix:
            todos = todos.filter(key__startswith=prefix)
        for user_id, key, text, organization_id, due_on, link in todos.values_list(
            "user_id", "key", "text", "organization_id", "due_on", "link"
        ).iterator(chunk_size=2000):
            yield Due(
                user_id=user_id,
                key=f"todo:{key}",
                text=text,
                organization_id=organization_id,
                due_on=due_on,
                link=link,
            )

    return collect


K = Todo.Kind


def register() -> None:
    register_source(Source("minutes_due", _("Minutes due"), _todos(K.MEETING_MISSING), order=10))
    register_source(Source("reviews_waiting", _("Reviews waiting"), _todos(K.REVIEW_WAITING), order=20))
    register_source(Source("minutes_returned", _("Minutes returned"), _todos(K.RETURNED), order=30))
    register_source(
        Source(
            "development",
            _("Development steps"),
            _todos(K.MEMBER_AFFAIRS, "lifecycle:development:"),
            order=40,
        )
    )
    register_source(Source("terms", _("Terms ending"), _todos(K.MEMBER_AFFAIRS, "lifecycle:term:"), order=50))
    register_source(Source("dues", _("Dues lapses"), _todos(K.MEMBER_AFFAIRS, "lifecycle:dues:"), order=60))
    register_source(
        Source(
            "exemptions",
            _("Dues exemptions to decide"),
            _todos(K.MEMBER_AFFAIRS, "lifecycle:exemption:"),
            order=65,
        )
    )
    register_source(
        Source("transfers", _("Transfer letters"), _todos(K.MEMBER_AFFAIRS, "lifecycle:transfer:"), order=70)
    )
    register_source(Source("care", _("Care visits"), _todos(K.MEMBER_AFFAIRS, "lifecycle:care:"), order=80))
    register_source(Source("assessment", _("Assessment phases"), _todos(K.ASSESSMENT), order=90))
    register_source(Source("evaluation", _("Member evaluation"), _todos(K.EVALUATION), order=95))
    from disclosure import notify_demo

    notify_demo.register()
