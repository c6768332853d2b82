"""The initiative browser's order within a plan, walked without sorting (evaluations.browse)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("initiatives", "0008_fresh_edits"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="initiative",
            index=models.Index(
                fields=["plan", "pillar", "order", "code", "department"],
                name="initiative_browse_order",
            ),
        ),
    ]
