"""The initiative browser's indexes: its order (initiative_browse_order, in initiatives), the
ids of the shown rows with a result (pubresult_browse_result), and the text indexes of
evaluations.search_index (FTS5 on SQLite, bigrams on PostgreSQL), built here for the rows that
exist and kept by the database from then on."""

from django.db import migrations, models

from evaluations import search_index


def create_search_indexes(apps, schema_editor):
    search_index.create(schema_editor)


def drop_search_indexes(apps, schema_editor):
    search_index.drop(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0021_narrative_point"),
        ("initiatives", "0009_browse_sort_key"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="publishedresult",
            index=models.Index(
                fields=["publication", "result", "initiative"], name="pubresult_browse_result"
            ),
        ),
        migrations.RunPython(create_search_indexes, drop_search_indexes),
    ]
