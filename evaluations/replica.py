"""Which requests read from the read replica (DATABASE_REPLICA_URL), and the guard that keeps a
lagging replica from showing figures older than the publication a page is keyed on.

The rule and the reasons are in reformtracker/db_routers.py (the router); this module decides
per request, because only here are the publications known:

- a public page's view (``public_page``), GET or HEAD, by a visitor without a session or messages
  cookie (the requests the page cache may serve), outside any transaction;
- and only once the replica holds the publications of the fingerprint the page is keyed on (the
  shared cache's or the primary's, never the replica's). The replica replays the primary's log in
  order, so once it has them it keeps them: one query per process per publication. Until then
  the page reads the primary, so the page right after a publication shows it.

A replica that fails is left alone for DATABASE_REPLICA_RETRY_SECONDS (pages read the primary),
and a page whose replica read failed is read again from the primary.
"""

from __future__ import annotations

import logging
import time
from contextlib import ExitStack, suppress

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DatabaseError, connections

from evaluations.published import fingerprint_pinned, publication_fingerprint, read_fingerprint
from reformtracker import memos
from reformtracker.db_routers import PRIMARY, REPLICA, reading_from, replica_configured

logger = logging.getLogger("reformtracker.db")

# "has": the fingerprint the replica was last seen to hold; "down_until": no replica before then.
_replica = memos.store()


def replica_has(fingerprint: str) -> bool:
    """Whether the replica holds the publications ``fingerprint`` names; False while it is
    down or behind."""
    if _replica.get("has") == fingerprint:
        return True
    if time.monotonic() < _replica.get("down_until", 0):
        return False
    try:
        with reading_from(REPLICA):
            seen = read_fingerprint()
    except DatabaseError as error:
        replica_failed(error)
        return False
    if seen != fingerprint:
        return False
    _replica["has"] = fingerprint
    return True


def replica_failed(error: BaseException) -> None:
    """Public pages read the primary for DATABASE_REPLICA_RETRY_SECONDS, then try again."""
    _replica.pop("has", None)
    _replica["down_until"] = time.monotonic() + settings.DATABASE_REPLICA_RETRY_SECONDS
    logger.warning(
        "replica unavailable, public pages read the primary for %s s: %s: %s",
        settings.DATABASE_REPLICA_RETRY_SECONDS,
        type(error).__name__,
        str(error).strip(),
    )
    with suppress(DatabaseError):
        connections[REPLICA].close()


def _is_public_read(request, view_func) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and getattr(view_func, "public_params", None) is not None
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and not connections[PRIMARY].in_atomic_block
    )


class ReplicaReadsMiddleware:
    """Opens ``reading_from(REPLICA)`` around the view of a public page read by an anonymous
    visitor, once the replica has the publications the page is keyed on; the fingerprint is
    pinned for the view, so the view's memos name the same publications as the page's key.

    Not used at all (no cost per request) when DATABASE_REPLICA_URL is unset.
    """

    def __init__(self, get_response):
        if not replica_configured():
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        with ExitStack() as stack:
            request.replica_reads = stack
            return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not _is_public_read(request, view_func):
            return None
        fingerprint = publication_fingerprint()  # the shared cache's or the primary's
        if not replica_has(fingerprint):
            return None
        request.replica_reads.enter_context(fingerprint_pinned(fingerprint))
        request.replica_reads.enter_context(reading_from(REPLICA))
        request.replica_view = (view_func, view_args, view_kwargs)
        return None

    def process_exception(self, request, exception):
        """A page whose replica read failed is read again from the primary (a public page's
        GET only reads, so running its view twice is harmless)."""
        if getattr(request, "replica_view", None) is None or not isinstance(
            exception, DatabaseError
        ):
            return None
        replica_failed(exception)
        view_func, view_args, view_kwargs = request.replica_view
        request.replica_view = None
        with reading_from(None):
            return view_func(request, *view_args, **view_kwargs)
