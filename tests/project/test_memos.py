"""Every process memo is registered with reformtracker.memos, so one clear() empties them all."""

import pytest

from evaluations import published
from reformtracker import memos


def test_clear_empties_lru_memos_and_stores():
    @memos.lru(maxsize=8)
    def square(n):
        return n * n

    kept = memos.store()
    square(3)
    kept["key"] = "value"
    memos.clear()
    assert square.cache_info().currsize == 0
    assert kept == {}


@pytest.mark.django_db
def test_clear_makes_the_publication_fingerprint_be_read_again(settings, django_assert_num_queries):
    settings.PUBLIC_PAGE_FINGERPRINT_SECONDS = 60
    memos.clear()
    with django_assert_num_queries(1):
        published.publication_fingerprint()
    with django_assert_num_queries(0):
        published.publication_fingerprint()  # kept for a minute
    memos.clear()
    with django_assert_num_queries(1):
        published.publication_fingerprint()
