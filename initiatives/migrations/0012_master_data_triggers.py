"""Database triggers that count every write of the master data the initiative browser's filter
form lists (plans, their cities, pillars, departments, and which departments own a plan's
initiatives) in MasterDataVersion, whoever writes it.

The history writer already counts each edit made through the services and the admin. The
triggers also count a write made around them (a shell, a raw UPDATE, a data migration), so the
publication fingerprint, which carries the version, changes with every write of these tables:
the browser keeps its filter form's lists per fingerprint (evaluations.browse) and stays exact.
PostgreSQL counts once per statement (a bulk import of 10,000 rows counts once); SQLite, which
has only row triggers, once per row (a few microseconds each)."""

from django.db import migrations

TABLES = (
    "initiatives_plan",
    "initiatives_municipality",
    "initiatives_pillar",
    "initiatives_department",
    "initiatives_initiative",
)
COUNT = 'UPDATE "initiatives_masterdataversion" SET "version" = "version" + 1 WHERE "id" = 1'
FUNCTION = "initiatives_count_master_data_write"


def _name(table: str, event: str = "") -> str:
    return f"{table}_counts_master_data{'_' + event.lower() if event else ''}"


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS"
            f" $$ BEGIN {COUNT}; RETURN NULL; END $$"
        )
        for table in TABLES:
            schema_editor.execute(
                f'CREATE TRIGGER "{_name(table)}" AFTER INSERT OR UPDATE OR DELETE ON "{table}"'
                f" FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
            )
    elif vendor == "sqlite":
        for table in TABLES:
            for event in ("INSERT", "UPDATE", "DELETE"):
                schema_editor.execute(
                    f'CREATE TRIGGER "{_name(table, event)}" AFTER {event} ON "{table}"'
                    f" BEGIN {COUNT}; END"
                )


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f'DROP TRIGGER IF EXISTS "{_name(table)}" ON "{table}"')
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
    elif vendor == "sqlite":
        for table in TABLES:
            for event in ("INSERT", "UPDATE", "DELETE"):
                schema_editor.execute(f'DROP TRIGGER IF EXISTS "{_name(table, event)}"')


class Migration(migrations.Migration):
    dependencies = [
        ("initiatives", "0011_initiative_plan_department"),
    ]

    operations = [migrations.RunPython(create, drop)]
