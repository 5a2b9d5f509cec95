"""The national defaults of 支部工作条例 (2018), DESIGN §5. Universities change them in the admin."""

from django.db import migrations

DEFAULTS = [
    # kind, period, times, only_with_groups, min_full_members
    ("general_assembly", "quarter", 1, False, None),
    ("branch_committee", "month", 1, False, 7),
    ("group_meeting", "month", 1, True, None),
    ("party_lecture", "quarter", 1, False, None),
    ("theme_day", "month", 1, False, None),
    ("organizational_life", "year", 1, False, None),
    ("democratic_review", "year", 1, False, None),
]


def create(apps, schema_editor):
    MeetingRule = apps.get_model("disclosure", "MeetingRule")
    for kind, period, times, only_with_groups, min_full in DEFAULTS:
        MeetingRule.objects.update_or_create(
            kind=kind,
            defaults={"period": period, "times": times, "only_with_groups": only_with_groups,
                      "min_full_members": min_full},
        )


def remove(apps, schema_editor):
    apps.get_model("disclosure", "MeetingRule").objects.filter(kind__in=[d[0] for d in DEFAULTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
