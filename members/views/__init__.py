"""Pages of the drill-down (university → committee → branch → roster, ``units``), member records
(``records``), the member list's import and export (``sheets``); the lifecycle, statistics, discipline and dues
exemptions have their own modules. The first three's views are re-exported here for ``members/urls.py`` and
``config/urls.py`` (``views.unit_overview``)."""

from members.views.records import member_detail, member_me
from members.views.sheets import member_export, member_import, member_import_template
from members.views.units import home, roster, unit_overview

__all__ = [
    "home",
    "member_detail",
    "member_export",
    "member_import",
    "member_import_template",
    "member_me",
    "roster",
    "unit_overview",
]
