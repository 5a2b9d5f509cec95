"""Writes to members, one module per concern. The member spreadsheet import (``roster_import``) and the
statistics snapshots (``snapshots``) are re-exported here with the spreadsheet layer's report and reader
(``from members.services import member_import, ImportReport``)."""

from branches.spreadsheets import ImportError_, ImportReport, read_xlsx
from members.services.roster_import import member_import
from members.services.snapshots import stats_snapshot_take, stats_snapshot_take_all

__all__ = [
    "ImportError_",
    "ImportReport",
    "read_xlsx",
    "member_import",
    "stats_snapshot_take",
    "stats_snapshot_take_all",
]
