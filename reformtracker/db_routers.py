"""Reads of the public pages from a streaming replica of the database (DATABASE_REPLICA_URL).

What a city needs of a replica: the public may read a copy a moment behind, as long as no page
shows figures older than the publication it is keyed on; staff must read their own writes.
So the rule is narrow, and everything outside it reads and writes the primary ("default"):

- Only a public page (a view marked by ``reformtracker.public_pages.public_page``) asked with GET
  or HEAD by a visitor without a session or messages cookie reads from the replica: the requests
  the page cache may serve. Staff and office requests, any form's POST, a visitor who has just
  done something (a message waits for them), commands, tasks and the worker all use the primary.
- Every write goes to the primary, and so does every read inside a transaction
  (``transaction.atomic`` on the primary): a read that decides a write sees what it writes over.
- The publication fingerprint (evaluations.published) is never read from the replica: it comes
  from the shared cache, where publishing puts it at once, or from the primary. A public page
  reads the replica only once the replica has the publications that fingerprint names (one
  query per process per publication; while the replica lags behind a publication the page is
  read from the primary). So the page right after a publication shows it, and a stored page is
  never keyed on a publication its content lacks. What may lag is live text (a plan's notes, a
  pillar's name): by the replica's replay delay, milliseconds on a healthy stream, within the
  PUBLIC_PAGE_CACHE_SECONDS a stored page already keeps such text.
- A replica that cannot be reached is left alone for DATABASE_REPLICA_RETRY_SECONDS: public
  pages are read from the primary meanwhile, and a page whose replica read failed is read again
  from the primary, so a replica going away costs visitors nothing.

The router (``PrimaryReplicaRouter``, settings.DATABASE_ROUTERS) sends a read to the replica only
inside ``reading_from(REPLICA)``, which evaluations.replica's middleware opens around such a
page's view (it knows the publications; this package does not).
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, router

REPLICA = "replica"
PRIMARY = DEFAULT_DB_ALIAS

# The database this request's reads go to, when not the primary.
_reading_from: ContextVar[str | None] = ContextVar("reading_from", default=None)


@contextmanager
def reading_from(alias: str | None):
    """Within the block, reads outside a transaction go to ``alias`` (None: the primary)."""
    token = _reading_from.set(alias)
    try:
        yield
    finally:
        _reading_from.reset(token)


class PrimaryReplicaRouter:
    """Writes and migrations on the primary; reads on the replica only where ``reading_from``
    says so and no transaction is open on the primary."""

    def db_for_read(self, model, **hints):
        alias = _reading_from.get()
        if alias is None or connections[PRIMARY].in_atomic_block:
            return PRIMARY
        return alias

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same rows on both

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY  # the replica follows the primary's schema by itself


def read_connection(model=None):
    """The connection a read of ``model`` goes to, as the router chooses: raw SQL on the public
    read side runs on it (not on ``django.db.connection``, always the primary's), so it reads
    from the replica where the ORM would."""
    return connections[router.db_for_read(model)]


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES
