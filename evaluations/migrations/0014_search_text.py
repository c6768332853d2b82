"""Each published row's title, narrative and reason as the browser searches them
(reformtracker.textnorm), filled for the rows that exist (snapshot rows never change, so this is
the one time they are written after publication)."""

from django.db import migrations, models

from reformtracker.textnorm import search_text


def fill(apps, schema_editor):
    """Every row's search text, written a batch at a time (one UPDATE per row, sent together:
    bulk_update's CASE over 2,000 ids cost PostgreSQL more than the rows themselves)."""
    model = apps.get_model("evaluations", "PublishedResult")
    table = schema_editor.quote_name(model._meta.db_table)
    rows = model.objects.values_list("pk", "title", "narrative", "reason").order_by("pk").iterator(chunk_size=2000)
    with schema_editor.connection.cursor() as cursor:
        batch = []
        for pk, *parts in rows:
            batch.append((search_text(*parts), pk))
            if len(batch) == 2000:
                cursor.executemany(f'UPDATE {table} SET "search_text" = %s WHERE "id" = %s', batch)
                batch = []
        if batch:
            cursor.executemany(f'UPDATE {table} SET "search_text" = %s WHERE "id" = %s', batch)


# On PostgreSQL, a trigram index lets the browser's "search_text LIKE '%…%'" find a word of three
# or more characters without reading every row (bench/bench_nation.py: 31 ms → 0.05 ms among
# 30,000 initiatives). pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may
# create it. SQLite has neither and searches by scanning, as before.
TRIGRAM_INDEX = (
    'CREATE INDEX IF NOT EXISTS "pubresult_search_trgm" ON "evaluations_publishedresult" USING gin ("search_text" gin_trgm_ops)'
)


def trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(TRIGRAM_INDEX)


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('DROP INDEX IF EXISTS "pubresult_search_trgm"')


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0013_plan_imports"),
    ]

    operations = [
        migrations.AddField(
            model_name="publishedresult",
            name="search_text",
            field=models.TextField(
                blank=True, default="", editable=False, verbose_name="検索用テキスト"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(trigram_index, drop_trigram_index),
    ]
