"""The publication fingerprint kept in a shared cache (settings.PUBLIC_CACHE_SHARED), in process:
the test's own cache stands for memcached, each test's requests for any app server's.
tests/production/test_shared_cache.py runs the same with two gunicorn servers and memcached."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluations import published, services
from evaluations.choices import Result
from tests.constants import OSAKA
from tests.factories import confirm_entries

PLAN_JSON = f"/open-data/plans/{OSAKA}.json"


@pytest.fixture
def shared(settings, page_cache):
    settings.PUBLIC_CACHE_SHARED = True
    # Each process would keep its own fingerprint a minute: only the shared one can show a
    # publication at once.
    settings.PUBLIC_PAGE_FINGERPRINT_SECONDS = 60
    settings.PUBLIC_PAGE_LOCAL_ENTRIES = 50


def test_publishing_puts_the_new_fingerprint_in_the_shared_cache_at_once(
    client, osaka, open_round_2025, shared, django_capture_on_commit_callbacks
):
    before = client.get(PLAN_JSON)
    assert client.get(PLAN_JSON)["X-Public-Cache"] == "hit"
    old = cache.get(published.FINGERPRINT_KEY)
    assert old is not None

    confirm_entries(
        open_round_2025, {e.initiative: Result.ACHIEVED for e in open_round_2025.entries.all()}
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_round_as_system(round_=open_round_2025, actor_name="test")
    assert cache.get(published.FINGERPRINT_KEY) not in (None, old)

    after = client.get(PLAN_JSON)
    assert after["X-Public-Cache"] == "miss"
    assert after.content != before.content


def test_a_hit_reads_the_fingerprint_from_the_cache_not_the_database(client, osaka, shared):
    client.get(PLAN_JSON)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(PLAN_JSON)["X-Public-Cache"] == "hit"
    assert len(queries) == 0


def test_healthz_reads_no_fingerprint(client, osaka, shared):
    cache.delete(published.FINGERPRINT_KEY)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/healthz").status_code == 200
    assert len(queries) == 0
    assert cache.get(published.FINGERPRINT_KEY) is None
