"""Typed readers for settings from the environment.

Each helper fails loudly (ImproperlyConfigured) on a value it cannot read, so a typo in a
deployment's environment stops the process at start-up instead of silently using a default.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of {sorted(_TRUE | _FALSE)}, got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, got {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# What the SQLite database needs, however it is named (SQLITE_PATH or a sqlite:// DATABASE_URL).
SQLITE_OPTIONS = {
    # Write-ahead log: readers (the public pages) never wait for a writer, and a commit appends
    # to the log instead of rewriting a journal; NORMAL syncs at checkpoints, which in WAL mode
    # still survives an application crash.
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    # Take the write lock at BEGIN, so two gunicorn workers writing at once wait for each other
    # (busy timeout) instead of failing with "database is locked".
    "transaction_mode": "IMMEDIATE",
}


def database_settings(
    url: str | None,
    sqlite_path: str,
    conn_max_age: int,
    conn_health_checks: bool = True,
    pool: int = 0,
) -> dict:
    """DATABASES["default"]: the database URL's, or the SQLite file's.

    CONN_MAX_AGE and CONN_HEALTH_CHECKS hold for every database alike (PostgreSQL's was once
    fixed at 60 whatever the variable said). A sqlite:// URL gets the same options as the
    default SQLite file: without them two concurrent saves failed with "database is locked".
    ``pool`` (PostgreSQL only; 0: none) puts psycopg's pool of up to that many connections in
    each process instead of the kept connection (with_pool).
    """
    if url:
        config = dj_database_url.parse(
            url, conn_max_age=conn_max_age, conn_health_checks=conn_health_checks
        )
        if config["ENGINE"] == "django.db.backends.postgresql" and pool:
            return with_pool(config, pool)
        if config["ENGINE"] != "django.db.backends.sqlite3":
            return config
    else:
        # Persistent, as for PostgreSQL: opening a connection (and registering Django's SQLite
        # functions on it) cost more than a public page's queries.
        config = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": sqlite_path,
            "CONN_MAX_AGE": conn_max_age,
            "CONN_HEALTH_CHECKS": conn_health_checks,
        }
    config["OPTIONS"] = {**config.get("OPTIONS", {}), **SQLITE_OPTIONS}
    return config


def with_pool(config: dict, max_size: int) -> dict:
    """``config`` with psycopg's connection pool (Django's OPTIONS["pool"]) of at most
    ``max_size`` connections per process, one opened at start.

    Django refuses a pool with persistent connections, so CONN_MAX_AGE becomes 0 (the pool keeps
    them instead). The pool checks a connection before handing it out (check_connection, one
    round trip, as CONN_HEALTH_CHECKS does), so one broken by a database restart is replaced
    instead of failing a request; a request waits at most 10 s for a free connection.
    """
    if max_size < 1:
        raise ImproperlyConfigured(f"DATABASE_POOL must be 0 (off) or at least 1, not {max_size}")
    from psycopg_pool import ConnectionPool

    options = {**config.get("OPTIONS", {})}
    options["pool"] = {
        "min_size": 1,
        "max_size": max_size,
        "timeout": 10,
        "check": ConnectionPool.check_connection,
    }
    return {**config, "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": False, "OPTIONS": options}


# The private storages (settings.STORAGES) and, for the filesystem, where each keeps its files.
# Evidence names already begin with "evidence/", so its folder is the root itself.
PRIVATE_STORAGE_FOLDERS = {
    "evidence": "",
    "reports": "report-jobs",
    "imports": "imports",
    # X会議 materials: private like the rest; public ones are served by a view, never a URL.
    "materials": "meeting-materials",
}
# Municipalities' logos: public, but served by a view of ours (evaluations.views.identity) with
# their type and cache headers, so they live beside the private files and need no MEDIA_URL.
PRIVATE_STORAGE_FOLDERS["logos"] = "logos"
PRIVATE_FILES_BACKENDS = ("filesystem", "database")


def private_storages(backend: str, root) -> dict:
    """STORAGES' entries for evidence, finished reports and uploaded 照会票: folders under
    PRIVATE_MEDIA_ROOT, or rows of the database (evaluations.filestore), one name prefix each."""
    if backend not in PRIVATE_FILES_BACKENDS:
        raise ImproperlyConfigured(
            f"PRIVATE_FILES_BACKEND must be filesystem or database, got {backend!r}"
        )
    if backend == "database":
        return {
            name: {
                "BACKEND": "evaluations.filestore.DatabaseStorage",
                "OPTIONS": {"location": name},
            }
            for name in PRIVATE_STORAGE_FOLDERS
        }
    return {
        name: {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": Path(root) / folder if folder else Path(root)},
        }
        for name, folder in PRIVATE_STORAGE_FOLDERS.items()
    }


# The shared caches CACHE_URL may name (settings.CACHES["default"]), by the URL's scheme.
SHARED_CACHE_SCHEMES = ("memcached", "redis", "db")


def cache_settings(url: str) -> dict:
    """CACHES["default"] for CACHE_URL: each process's own memory when empty, or a cache every
    app server shares.

    ``memcached://host:port[,host:port…]`` is Django's PyMemcacheCache (what production runs;
    bench/bench_shared_cache.py compares the three); a read or write that fails (the server down,
    a value over its item size) is a miss, never an error, so pages are then rendered instead of
    refused. ``redis://…`` is Django's RedisCache, ``db://table`` its DatabaseCache (the table
    made by ``manage.py createcachetable``).
    """
    if not url:
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "reformtracker.apps.ReformtrackerConfig",
        }
    scheme, separator, rest = url.partition("://")
    if not separator or scheme not in SHARED_CACHE_SCHEMES or not rest.strip("/"):
        raise ImproperlyConfigured(
            "CACHE_URL must be empty, memcached://host:port[,host:port], redis://host:port/db "
            f"or db://table, got {url!r}"
        )
    if scheme == "memcached":
        return {
            "BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache",
            "LOCATION": [server.strip() for server in rest.strip("/").split(",") if server],
            "OPTIONS": {
                "no_delay": True,
                "ignore_exc": True,
                "connect_timeout": 0.5,
                "timeout": 0.5,
                # A server that fails is skipped for a few seconds, then tried again.
                "retry_attempts": 1,
                "retry_timeout": 1,
                "dead_timeout": 5,
            },
        }
    if scheme == "redis":
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    return {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": rest.strip("/")}


def cache_is_shared(config: dict) -> bool:
    """Whether CACHES["default"] is seen by every process (not each one's own memory)."""
    return not config["BACKEND"].endswith(("LocMemCache", "DummyCache"))
