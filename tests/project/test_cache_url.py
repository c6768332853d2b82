"""CACHE_URL: each process's own cache by default (make run, tests), a shared one when named."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from reformtracker.env import cache_is_shared, cache_settings
from tests.fresh_settings import read_settings

EXPRESSION = (
    '[s.CACHES["default"]["BACKEND"], s.CACHES["default"].get("LOCATION"), s.PUBLIC_CACHE_SHARED]'
)


def test_without_cache_url_each_process_keeps_its_own_pages():
    backend, _location, shared = read_settings(EXPRESSION, forget=("CACHE_URL",))
    assert backend == "django.core.cache.backends.locmem.LocMemCache"
    assert shared is False


def test_a_memcached_url_is_one_cache_every_app_server_shares():
    backend, location, shared = read_settings(
        EXPRESSION, CACHE_URL="memcached://10.0.0.5:11211,10.0.0.6:11211"
    )
    assert backend == "django.core.cache.backends.memcached.PyMemcacheCache"
    assert location == ["10.0.0.5:11211", "10.0.0.6:11211"]
    assert shared is True


def test_a_lost_memcached_is_a_miss_not_an_error():
    assert cache_settings("memcached://127.0.0.1:11211")["OPTIONS"]["ignore_exc"] is True


@pytest.mark.parametrize(
    ("url", "backend"),
    [
        ("redis://127.0.0.1:6379/0", "django.core.cache.backends.redis.RedisCache"),
        ("db://page_cache", "django.core.cache.backends.db.DatabaseCache"),
    ],
)
def test_redis_and_the_database_are_the_other_shared_caches(url, backend):
    config = cache_settings(url)
    assert config["BACKEND"] == backend
    assert cache_is_shared(config)


@pytest.mark.parametrize("url", ["memcached", "memcache://x:1", "redis://", "http://cache:80"])
def test_a_cache_url_it_cannot_read_stops_the_start(url):
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL"):
        cache_settings(url)
