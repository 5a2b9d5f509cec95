"""The funding overview as xlsx (issue 22): the page's two tables on two sheets, the same numbers, amounts
as numbers in yuan with a thousands format (the spreadsheet formats them; no ¥ text)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import Organization
from branches.spreadsheets.export import MONEY_FORMAT, Sheet, columns, workbook_bytes


def _kind_label(kind: str) -> str:
    return _("Showcase project") if kind == "feature" else _("Research topic")


def funding_overview_xlsx(*, root: Organization, data: dict) -> bytes:
    """``data``: projects.selectors.funding_overview's result for ``root``."""
    years = Sheet(
        _("By year and grade"),
        columns(
            (_("Year"), 8),
            (_("Kind"), 14),
            (_("Applications"), 12),
            (_("Key"), 8),
            (_("General"), 8),
            (_("Rejected"), 10),
            (_("Pending"), 10),
            (_("Granted (yuan)"), 16, MONEY_FORMAT),
        ),
        [
            [
                row["call__year"],
                _kind_label(row["kind"]),
                row["applications"],
                row["key"],
                row["general"],
                row["rejected"],
                row["pending"],
                row["granted"] or 0,
            ]
            for row in data["by_year"]
        ],
        notes=[f"{root.name} · {timezone.localdate().isoformat()}"],
    )
    units = Sheet(
        _("Funded grants by secondary committee"),
        columns((_("Unit"), 34), (_("Funded"), 10), (_("Key"), 8), (_("Granted (yuan)"), 16, MONEY_FORMAT)),
        [[row["name"], row["projects"], row["key"], row["granted"] or 0] for row in data["by_unit"]],
    )
    return workbook_bytes([years, units])
