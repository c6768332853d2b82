"""Every write of the tables the initiative browser's filter form lists from (plans, cities,
pillars, departments, initiatives) counts in MasterDataVersion through the database's own
triggers (initiatives migration 0012), also a write that goes around the services and the
admin: a raw UPDATE, a bulk insert, a delete. The publication fingerprint carries the number, so
what is kept per fingerprint (evaluations.browse ``_kept``) is read again after any of them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import F

from evaluations import published
from initiatives.models import Department, Initiative, MasterDataVersion, Municipality, Pillar, Plan
from tests.constants import OSAKA
from tests.factories import unsaved_initiatives

pytestmark = pytest.mark.django_db

TRIGGERED = (Plan, Municipality, Pillar, Department, Initiative)


def _version() -> int:
    return MasterDataVersion.objects.values_list("version", flat=True).get(pk=1)


def _trigger_names() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {name for (name,) in cursor.fetchall()}


def test_every_table_the_browser_lists_from_has_its_counting_triggers_after_every_migration():
    # A later migration that rebuilds one of these tables on SQLite (ALTER by copying) would
    # drop its triggers without a word: this is where that shows.
    names = _trigger_names()
    for model in TRIGGERED:
        table = model._meta.db_table
        if connection.vendor == "postgresql":
            assert f"{table}_counts_master_data" in names
        else:
            for event in ("insert", "update", "delete"):
                assert f"{table}_counts_master_data_{event}" in names


def test_a_raw_update_of_each_table_counts_once_its_statement_commits(seeded):
    for model in TRIGGERED:
        before = _version()
        row = model.objects.order_by("pk").first()
        model.objects.filter(pk=row.pk).update(id=F("id"))  # changes nothing, still a write
        assert _version() == before + 1, model.__name__


def test_an_insert_and_a_delete_around_the_services_each_count(seeded):
    osaka = Plan.objects.get(slug=OSAKA)
    before = _version()
    department = Department.objects.create(
        municipality=osaka.municipality, code="zz-trigger", name="試しの局"
    )
    assert _version() == before + 1
    Department.objects.filter(pk=department.pk).delete()
    assert _version() == before + 2


def test_a_bulk_insert_counts_once_per_statement_on_postgresql_and_once_per_row_on_sqlite(seeded):
    osaka = Plan.objects.get(slug=OSAKA)
    pillar = Pillar.objects.filter(plan=osaka).order_by("order").first()
    department = Department.objects.filter(municipality=osaka.municipality).first()
    before = _version()
    Initiative.objects.bulk_create(
        unsaved_initiatives(osaka, pillar, department, 5, code="T", title="一括の取組", order=900)
    )
    assert _version() == before + (1 if connection.vendor == "postgresql" else 5)


def test_a_raw_write_changes_the_publication_fingerprint(seeded, settings):
    settings.PUBLIC_PAGE_FINGERPRINT_SECONDS = 0
    before = published.publication_fingerprint()
    Pillar.objects.filter(plan__slug=OSAKA, order=1).update(name="改名した柱")
    assert published.publication_fingerprint() != before
