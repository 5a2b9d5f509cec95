# Issue 20: the campus number (工号 / 学号) the university's sign-on sends as the login name.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0006_discipline_records"),
    ]

    operations = [
        migrations.AddField(
            model_name="member",
            name="campus_number",
            field=models.CharField(blank=True, max_length=40, verbose_name="staff or student number"),
        ),
        migrations.AddField(
            model_name="historicalmember",
            name="campus_number",
            field=models.CharField(blank=True, max_length=40, verbose_name="staff or student number"),
        ),
        migrations.AddConstraint(
            model_name="member",
            constraint=models.UniqueConstraint(
                condition=models.Q(("campus_number", ""), _negated=True),
                fields=("campus_number",),
                name="member_campus_number_unique",
            ),
        ),
    ]
