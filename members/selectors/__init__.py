"""Reads of members (``people``: visibility, masking, the roster, the export) and of the statistics the 组织部
reports upward (``summary``); the lifecycle, the overview and the branch shape have modules of their own.
The first two's names are re-exported here (``from members.selectors import party_stats``)."""

from members.selectors.people import (
    STAGE_ORDER,
    User,
    branch_roster,
    mask_id_number,
    mask_phone,
    member_may_manage,
    member_may_view,
    members_for_export,
    sensitive_fields,
)
from members.selectors.summary import AGE_BANDS, _age_band_expression, party_stats

__all__ = [
    "AGE_BANDS",
    "STAGE_ORDER",
    "User",
    "_age_band_expression",
    "branch_roster",
    "mask_id_number",
    "mask_phone",
    "member_may_manage",
    "member_may_view",
    "members_for_export",
    "party_stats",
    "sensitive_fields",
]
