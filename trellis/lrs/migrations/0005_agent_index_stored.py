"""Copy each statement's ``stored`` into its agent index rows, and index them by (agent, stored): an
agent query then reads the agent's newest statements off the index and stops at the limit."""

from django.db import migrations, models

BACKFILL = """
UPDATE lrs_statementagent
SET stored = (SELECT s.stored FROM lrs_statement s WHERE s.id = lrs_statementagent.statement_id)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("lrs", "0004_activity_index_without_objects"),
    ]

    operations = [
        migrations.AddField(
            model_name="statementagent",
            name="stored",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="statementagent",
            name="stored",
            field=models.DateTimeField(),
        ),
        migrations.RemoveIndex(
            model_name="statementagent",
            name="lrs_stateme_agent_i_922ced_idx",
        ),
        migrations.AddIndex(
            model_name="statementagent",
            index=models.Index(
                fields=["agent_ifi", "stored", "statement", "relation"],
                name="lrs_sag_agent_stored",
            ),
        ),
    ]
