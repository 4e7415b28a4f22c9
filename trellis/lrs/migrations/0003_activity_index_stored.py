"""Copy each statement's ``stored`` into its activity index rows, and index them by (activity, stored):
a related_activities query then reads the newest statements of a course off the index."""

from django.db import migrations, models

BACKFILL = """
UPDATE lrs_statementactivity
SET stored = (SELECT s.stored FROM lrs_statement s WHERE s.id = lrs_statementactivity.statement_id)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("lrs", "0002_statement_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="statementactivity",
            name="stored",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="statementactivity",
            name="stored",
            field=models.DateTimeField(),
        ),
        migrations.RemoveIndex(
            model_name="statementactivity",
            name="lrs_stateme_activit_4db129_idx",
        ),
        migrations.AddIndex(
            model_name="statementactivity",
            index=models.Index(
                fields=["activity_id", "stored", "statement"], name="lrs_sa_activity_stored"
            ),
        ),
    ]
