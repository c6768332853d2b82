"""Public pages rendered once per the rows they show (docs/architecture.md, "Public pages cache
exactly by publication").

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
import threading
from collections import OrderedDict

from django.conf import settings
from django.db.models import Model
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import get_script_prefix
from django.utils.translation import get_language

from reformtracker import memos

# Enough for every page of a few plans in both languages; the oldest goes first.
MAX_PAGES = 512

_pages: OrderedDict = OrderedDict()
_lock = threading.Lock()  # a threaded server's requests share the dict
memos.register(_pages.clear)


def _row(value):
    if isinstance(value, Model):
        return (
            value._meta.label,
            *(getattr(value, f.attname) for f in value._meta.concrete_fields),
        )
    if isinstance(value, list | tuple):
        return tuple(_row(v) for v in value)
    return value


def digest(*values) -> str:
    """A digest of ``values``: model instances as their label and concrete columns (not the
    rows they join: name those too), lists and tuples item by item, anything else by repr."""
    return hashlib.sha256(repr(_row(values)).encode()).hexdigest()


def _memoisable(request) -> bool:
    return (
        settings.PUBLIC_DATA_MEMO
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def render_page(request, template: str, context, rows, status: int = 200):
    """``render(request, template, context)``, kept per process for ``rows()`` (a ``digest``
    of every row the page shows) and the request's address. ``context`` may be a callable,
    called only when the page is rendered."""
    if not _memoisable(request):
        return render(request, template, context() if callable(context) else context, status=status)
    rows = rows()
    key = (
        template,
        status,
        get_language() or "",
        get_script_prefix(),
        request.scheme,
        request.get_host(),
        request.get_full_path(),
        rows,
    )
    with _lock:
        content = _pages.get(key)
        if content is not None:
            _pages.move_to_end(key)
    if content is not None:
        return HttpResponse(content, status=status)
    context = context() if callable(context) else context
    response = render(request, template, context, status=status)
    if not request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        with _lock:
            _pages[key] = response.content
            while len(_pages) > MAX_PAGES:
                _pages.popitem(last=False)
    return response
