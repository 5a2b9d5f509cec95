# The first-of-month check without Django's SQLite function django_date_extract (month__day=1 compiled to it),
# so the sqlite3 shell can run pragma integrity_check on the database and its backups (branches.expressions).

import branches.expressions
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0003_development_documents'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='duespayment',
            name='dues_payment_first_of_month',
        ),
        migrations.AddConstraint(
            model_name='duespayment',
            constraint=models.CheckConstraint(condition=models.Q(('month', branches.expressions.FirstOfMonth('month'))), name='dues_payment_first_of_month'),
        ),
    ]
