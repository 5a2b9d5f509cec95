"""The lifecycle pages of a unit: development, transfers, dues, care visits, terms, and the due panel.

Thin views: authorise with ``require_organization_permission`` (VIEW to read, MANAGE_MEMBERS to write),
validate a form, call one service or selector, render or redirect with a message.

The pages are split by topic into the modules of this package (development, transfers, dues, care, terms,
exchange: the spreadsheets); their views are re-exported here for ``members/urls.py``.
"""

from __future__ import annotations

from members.views.lifecycle.development import (
    development_document,
    development_list,
    development_case,
    development_step,
    development_review,
    development_extend,
)
from members.views.lifecycle.transfers import (
    transfers,
    transfer_complete,
)
from members.views.lifecycle.dues import (
    dues,
    dues_year,
)
from members.views.lifecycle.care import (
    lifecycle_due,
    care,
)
from members.views.lifecycle.terms import (
    terms,
    term_candidates,
)
from members.views.lifecycle.exchange import (
    lifecycle_import,
    lifecycle_import_template,
    development_export,
    transfers_export,
    dues_export,
)

__all__ = [
    "development_list",
    "development_case",
    "development_step",
    "development_review",
    "development_extend",
    "transfers",
    "transfer_complete",
    "dues",
    "dues_year",
    "lifecycle_due",
    "care",
    "terms",
    "term_candidates",
    "lifecycle_import",
    "lifecycle_import_template",
    "development_export",
    "transfers_export",
    "dues_export",
    "development_document",
]
