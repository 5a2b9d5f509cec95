"""National defaults for the lifecycle's tables (DESIGN §5). They only fill empty tables after migrate
(and after a test flush); administrators change the rows in the admin."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import DEFAULT_DB_ALIAS

# 中共中央组织部《关于中国共产党党费收缴、使用和管理的规定》(2008), valid from 2008-04-01.
DUES_TABLE_2008 = datetime.date(2008, 4, 1)
DEFAULT_BRACKETS = [
    # kind, up to (None: above), rate %, fixed amount
    ("employee", Decimal("3000"), Decimal("0.5"), None),
    ("employee", Decimal("5000"), Decimal("1"), None),
    ("employee", Decimal("10000"), Decimal("1.5"), None),
    ("employee", None, Decimal("2"), None),
    ("retiree", Decimal("5000"), Decimal("0.5"), None),
    ("retiree", None, Decimal("1"), None),
    ("student", None, None, Decimal("0.2")),
    ("relief", None, None, Decimal("0.2")),
]
# 四必访: code, name, visit within days.
DEFAULT_CARE_KINDS = [
    ("illness", "党员生病住院", 7),
    ("hardship", "党员生活困难", 15),
    ("bereavement", "党员家庭发生重大变故", 7),
    ("old_member", "老党员、离退休党员（节日和生日）", 30),
]


def ensure_lifecycle_defaults(sender=None, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate receiver: fill the rules, the dues table and the care occasions when they are empty."""
    from members.models import CareOccasionKind, DuesBracket, LifecycleRule
    from members.rules import DEFAULTS

    if not LifecycleRule.objects.using(using).exists():
        LifecycleRule.objects.using(using).bulk_create(
            LifecycleRule(key=key, value=value, note="national default") for key, value in DEFAULTS.items()
        )
    if not DuesBracket.objects.using(using).exists():
        DuesBracket.objects.using(using).bulk_create(
            DuesBracket(valid_from=DUES_TABLE_2008, kind=kind, up_to=up_to, rate=rate, amount=amount)
            for kind, up_to, rate, amount in DEFAULT_BRACKETS
        )
    if not CareOccasionKind.objects.using(using).exists():
        CareOccasionKind.objects.using(using).bulk_create(
            CareOccasionKind(code=code, name=name, visit_within_days=days)
            for code, name, days in DEFAULT_CARE_KINDS
        )


def ensure_stat_defaults(sender=None, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate receiver: the 党内统计 tables' and the member sheet's default layouts (issue 21) when their
    tables are empty — migration 0008 seeds them once; a test flush empties them, and this refills them."""
    from django.db import connections

    from members.models import SheetLayout, StatTable
    from members.stat_defaults import SHEETS, TABLES

    tables = connections[using].introspection.table_names()
    if StatTable._meta.db_table not in tables or SheetLayout._meta.db_table not in tables:
        return  # a database migrated back before issue 21
    if not StatTable.objects.using(using).exists():
        StatTable.objects.using(using).bulk_create(StatTable(**table) for table in TABLES)
    if not SheetLayout.objects.using(using).exists():
        SheetLayout.objects.using(using).bulk_create(SheetLayout(**sheet) for sheet in SHEETS)
