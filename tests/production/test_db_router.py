"""The read replica's router (reformtracker/db_routers.py) on its own: which database it names.
The replica itself, with real servers, is tests/production/test_read_replica.py."""

import pytest
from django.db import transaction

from initiatives.models import Plan
from reformtracker.db_routers import PRIMARY, REPLICA, PrimaryReplicaRouter, reading_from

router = PrimaryReplicaRouter()


def test_reads_go_to_the_primary_unless_a_public_page_asks_for_the_replica():
    assert router.db_for_read(Plan) == PRIMARY
    with reading_from(REPLICA):
        assert router.db_for_read(Plan) == REPLICA
        with reading_from(None):
            assert router.db_for_read(Plan) == PRIMARY
    assert router.db_for_read(Plan) == PRIMARY


@pytest.mark.django_db(transaction=True)
def test_a_read_inside_a_transaction_goes_to_the_primary():
    with reading_from(REPLICA):
        with transaction.atomic():
            assert router.db_for_read(Plan) == PRIMARY
        assert router.db_for_read(Plan) == REPLICA


def test_writes_and_migrations_go_to_the_primary_alone():
    with reading_from(REPLICA):
        assert router.db_for_write(Plan) == PRIMARY
    assert router.allow_migrate(PRIMARY, "initiatives")
    assert not router.allow_migrate(REPLICA, "initiatives")
