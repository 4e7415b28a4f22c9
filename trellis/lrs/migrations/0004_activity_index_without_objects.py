"""A statement's object is indexed on the statement itself: drop its duplicate activity index rows
(the largest share of the index's writes, since objects are the most varied activities)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("lrs", "0003_activity_index_stored"),
    ]

    operations = [
        migrations.RunSQL(
            "DELETE FROM lrs_statementactivity WHERE relation = 'object'",
            migrations.RunSQL.noop,
        ),
    ]
