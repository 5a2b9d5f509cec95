"""The national default meeting frequencies of 支部工作条例 (2018), DESIGN §5. Universities change them in
the admin (MeetingRule); these only fill an empty table."""

from django.db import DEFAULT_DB_ALIAS

DEFAULT_RULES = [
    # kind, period, times, only_with_groups, min_full_members
    ("general_assembly", "quarter", 1, False, None),
    ("branch_committee", "month", 1, False, 7),
    ("group_meeting", "month", 1, True, None),
    ("party_lecture", "quarter", 1, False, None),
    ("theme_day", "month", 1, False, None),
    ("organizational_life", "year", 1, False, None),
    ("democratic_review", "year", 1, False, None),
    # 中国共产党党员领导干部民主生活会若干规定 (committees' leadership, issue 18): once a year.
    ("democratic_life", "year", 1, False, None),
]


def ensure_default_rules(sender=None, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate receiver: a database without any rule gets the defaults (after migrate, and after a
    test flush). Rules an administrator deactivated stay; only an empty table is filled."""
    from disclosure.models import MeetingRule

    if MeetingRule.objects.using(using).exists():
        return
    MeetingRule.objects.using(using).bulk_create(
        MeetingRule(kind=kind, period=period, times=times, only_with_groups=groups, min_full_members=full)
        for kind, period, times, groups, full in DEFAULT_RULES
    )


DEFAULT_POST_CATEGORIES = [
    # code, name (categories are data: the admin renames, adds and deactivates them)
    ("theory", "理论学习"),
    ("work", "推进工作"),
    ("activity", "活动纪实"),
    ("plan", "方案报告"),
    ("minutes", "会议纪要"),
    ("notice", "通知公告"),
    ("honour", "评优表彰"),
]


def ensure_default_post_categories(sender=None, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate receiver: an empty category table gets the defaults (like ``ensure_default_rules``)."""
    from disclosure.models import PostCategory

    if PostCategory.objects.using(using).exists():
        return
    PostCategory.objects.using(using).bulk_create(
        PostCategory(code=code, name=name, position=i * 10)
        for i, (code, name) in enumerate(DEFAULT_POST_CATEGORIES)
    )
