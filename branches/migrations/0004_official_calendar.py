# The official calendar (issue 18): public holidays and 调休 working days, filled for the years the
# chinesecalendar package knows; the 组织部 enters later years in the admin.

from django.db import migrations, models

NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节", "Mid-autumn Festival": "中秋节", "National Day": "国庆节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def fill(apps, schema_editor):
    from chinese_calendar import constants

    CalendarYear = apps.get_model("branches", "CalendarYear")
    OfficialDay = apps.get_model("branches", "OfficialDay")
    days = []
    for day, name in constants.holidays.items():
        if day.weekday() < 5:  # a holiday on a weekend changes nothing
            days.append(OfficialDay(day=day, kind="holiday", name=NAMES.get(name, name)))
    for day, name in constants.workdays.items():
        if day.weekday() >= 5:
            days.append(OfficialDay(day=day, kind="workday", name=NAMES.get(name, name)))
    OfficialDay.objects.bulk_create(days, ignore_conflicts=True)
    years = sorted({d.day.year for d in days})
    CalendarYear.objects.bulk_create(
        [CalendarYear(year=y, source="国务院办公厅关于部分节假日安排的通知（chinesecalendar）") for y in years],
        ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ("branches", "0003_one_time_key"),
    ]

    operations = [
        migrations.CreateModel(
            name="CalendarYear",
            fields=[
                ("year", models.PositiveSmallIntegerField(primary_key=True, serialize=False, verbose_name="year")),
                ("source", models.CharField(blank=True, help_text="The notice the days were taken from.",
                                            max_length=200, verbose_name="source")),
            ],
            options={"verbose_name": "official calendar year", "verbose_name_plural": "official calendar years",
                     "ordering": ["-year"]},
        ),
        migrations.CreateModel(
            name="OfficialDay",
            fields=[
                ("day", models.DateField(primary_key=True, serialize=False, verbose_name="day")),
                ("kind", models.CharField(choices=[("holiday", "Public holiday"),
                                                   ("workday", "Working day in lieu (调休)")],
                                          max_length=10, verbose_name="kind")),
                ("name", models.CharField(blank=True, max_length=60, verbose_name="name")),
            ],
            options={"verbose_name": "official calendar day", "verbose_name_plural": "official calendar days",
                     "ordering": ["day"]},
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
