"""An index on the history's subject (its type and id), so the history of one object (the feeds'
meetings added, a meeting's versions, the admin's scope) is found without reading the whole
history. A new index only: no table is rebuilt, so the search indexes of 0022 stay as they are."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0022_browse_sort_key"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="historyevent",
            index=models.Index(fields=["subject_type", "subject_id"], name="history_subject"),
        ),
    ]
