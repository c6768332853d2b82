"""Public pages rendered once per the rows they show (docs/architecture.md, "Public pages cache
exactly by publication"), for the result pages and the X会議 pages alike.

With the page cache off, or missed (the first request after a publication), a view still reads
every row its page shows, every time; what this keeps, per process, is the markup rendered from
them. The key is the request as the page cache keys it (language, scheme, host, path and the
canonical query, page or fragment) and a digest of the rows as read: an edit of any row the
page shows gives a new key, so a kept page is never stale and needs no invalidating. The
publications are in the rows through their fingerprint.

Only for requests the page cache could serve (anonymous, without session or message cookies),
and never for a page that used a CSRF token; off with ``PUBLIC_DATA_MEMO`` (and so in tests,
unless a test turns it on).
"""

from __future__ import annotations

import hashlib
from functools import partial
from operator import attrgetter

from django.conf import settings
from django.db.models import Model
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import get_script_prefix
from django.utils.translation import get_language

from reformtracker import memos
from reformtracker.public_pages import content_etag, gzip_content, worth_gzip

# Enough for every page of a few plans in both languages; the oldest goes first. The bytes
# bound each worker's memory (a 10,000-row results file is a few MB).
MAX_PAGES = 512
MAX_BYTES = 64 * 1024 * 1024

# Each kept page: (content, headers, status, ETag, gzip copy or None), weighing its bytes. The
# copy is made by the first repeat that takes it, so a page nobody asks for again (a search)
# costs no compression.
_pages = memos.Bounded(
    MAX_PAGES, max_bytes=MAX_BYTES, size=lambda kept: len(kept[0]) + len(kept[4] or b"")
)


# Per model class: its label and a getter of its concrete columns, worked out once per
# process (a browser page digests a hundred instances; looking their fields up each time was
# most of the digest's cost).
_columns: dict[type, tuple] = {}


def _row(value):
    if isinstance(value, Model):
        known = _columns.get(type(value))
        if known is None:
            names = [f.attname for f in value._meta.concrete_fields]
            known = _columns[type(value)] = (value._meta.label, attrgetter(*names), len(names))
        label, columns, count = known
        return (label, *columns(value)) if count > 1 else (label, columns(value))
    if isinstance(value, list | tuple):
        return tuple(_row(v) for v in value)
    return value


def digest(*values) -> str:
    """A digest of ``values``: model instances as their label and concrete columns (not the
    rows they join: name those too), lists and tuples item by item, anything else by repr."""
    return hashlib.sha256(repr(_row(values)).encode()).hexdigest()


def rows_digest(*rows) -> str:
    """A digest of ``rows`` as the database gave them (tuples of plain values), by their repr
    once: a repr handed to ``digest`` was written out again, every quote and escape of it (a
    pillar page's hundred published rows, twice on every uncached request)."""
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def _memoisable(request) -> bool:
    return (
        settings.PUBLIC_DATA_MEMO
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def respond(request, name: str, rows, make):
    """``make()`` (a response), kept per process for ``rows()`` (a ``digest`` of every row the
    response shows), the request's address and ``name`` (the template or document)."""
    if not _memoisable(request):
        return make()
    key = (
        name,
        get_language() or "",
        get_script_prefix(),
        request.scheme,
        request.get_host(),
        request.get_full_path(),
        rows(),
    )
    kept = _pages.get(key)
    if kept is None:
        response = make()
        if (
            response.streaming
            or response.cookies
            # A page that used a CSRF token belongs to one visitor only.
            or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            or len(response.content) > _pages.max_bytes // 8
        ):
            return response
        content = response.content
        kept = (content, dict(response.headers), response.status_code, content_etag(content), None)
        _pages.put(key, kept)
        response.content_etag = kept[3]
        return response
    content, headers, status, etag, _compressed = kept
    response = HttpResponse(content, status=status)
    for header, value in headers.items():
        response[header] = value
    # What the public_page decorator would work out again from the content: its ETag, and
    # for a client that accepts it, its gzip copy. Only for a page asked for again: one
    # rendered once (a search nobody repeats) is never compressed.
    response.content_etag = etag
    if worth_gzip(content, response):
        response.gzipped = partial(_gzipped, key, content)
    return response


def _gzipped(key, content: bytes) -> bytes:
    """The kept page's gzip copy, compressed on the first request that takes it (and kept
    with it, unless it was let go meanwhile)."""
    kept = _pages.get(key)
    if kept is None:
        return gzip_content(content)
    if kept[4] is None:
        kept = (*kept[:4], gzip_content(content))
        _pages.put(key, kept)
    return kept[4]


def render_page(request, template: str, context, rows, status: int = 200):
    """``render(request, template, context)`` through ``respond``; ``context`` may be a
    callable, called only when the page is rendered."""

    def make():
        values = context() if callable(context) else context
        return render(request, template, values, status=status)

    return respond(request, template, rows, make)
