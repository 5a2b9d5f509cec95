"""The default 党支部运行「八个一」 set (issue 18). 组织部 edits the items in the admin; this only fills an
empty table (after migrate and after a test flush), as ``disclosure.defaults`` does for the meeting rules."""

from django.db import DEFAULT_DB_ALIAS, connections

EIGHT_ONES_SOURCE = "学校党委《党支部运行“八个一”》（本系统默认整理，组织部可在后台修改）"
EIGHT_ONES = [
    # code, title, computed from
    ("1", "一个健全的支部委员会", "committee"),
    ("2", "一个固定的主题党日", "theme_day"),
    ("3", "一套规范的“三会一课”记录", "meetings"),
    ("4", "一次年度组织生活会", "organizational_life"),
    ("5", "一个党务公开栏（党建动态）", "posts"),
    ("6", "一个党员活动阵地", ""),
    ("7", "一本党费收缴台账", ""),
    ("8", "一项支部特色品牌活动", ""),
]


def ensure_default_eight_ones(sender=None, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    from assessments.models import EightOnesItem

    # A database migrated back before the table (tests/test_ratings_migration.py) is flushed with the
    # post_migrate signal too: nothing to fill there.
    if EightOnesItem._meta.db_table not in connections[using].introspection.table_names():
        return
    if EightOnesItem.objects.using(using).exists():
        return
    EightOnesItem.objects.using(using).bulk_create(
        EightOnesItem(code=code, title=title, measure=measure, source=EIGHT_ONES_SOURCE, position=i * 10)
        for i, (code, title, measure) in enumerate(EIGHT_ONES)
    )
