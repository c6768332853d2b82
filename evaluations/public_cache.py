"""Whole-page caching and ETags for the public pages (ARCHITECTURE idea 4).

A public page is a function of (the published snapshots, the language, the path with its query
string). The cache key carries a fingerprint of the publications, so publishing — or withdrawing —
a 時点 changes every key at once and nothing needs invalidating. The fingerprint costs one indexed
aggregate query per request.

Only anonymous visitors without session or message cookies are served from the cache: staff see
their own header, and a page that used a CSRF token is never stored (a cached token would hand one
visitor's token to the next). The ETag is a hash of the content, so a 304 is right even for text
that is live rather than published (plan notes), and repeat visits cost no rendering.
"""

from __future__ import annotations

import hashlib
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags, quote_etag
from django.utils.translation import get_language

from evaluations.models import Publication

CACHE_PREFIX = "public-page"


_memo = {"value": None, "until": 0.0}


def publication_fingerprint() -> str:
    """Changes whenever a publication is added or removed (one query).

    Each process re-reads it at most once per PUBLIC_PAGE_FINGERPRINT_SECONDS (default 1 s), so
    a cache hit usually touches no database at all; a publication shows within that second in
    every worker (each keeps its own local-memory cache, so no signal could reach them all).
    """
    ttl = getattr(settings, "PUBLIC_PAGE_FINGERPRINT_SECONDS", 1.0)
    now = time.monotonic()
    if ttl > 0 and _memo["value"] is not None and now < _memo["until"]:
        return _memo["value"]
    state = Publication.objects.aggregate(n=Count("id"), last=Max("id"))
    value = f"{state['n']}.{state['last'] or 0}"
    _memo.update(value=value, until=now + ttl)
    return value


def _may_use_cache(request) -> bool:
    if not settings.PUBLIC_PAGE_CACHE or request.method not in ("GET", "HEAD"):
        return False
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and "messages" not in request.COOKIES


def _variant(request) -> str:
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        return f"htmx:{htmx.target or ''}"
    return "page"


def cache_key(request, fingerprint: str) -> str:
    raw = "|".join([fingerprint, get_language() or "", _variant(request), request.get_full_path()])
    return f"{CACHE_PREFIX}:{hashlib.sha256(raw.encode()).hexdigest()}"


def content_etag(content: bytes) -> str:
    return quote_etag(hashlib.sha256(content).hexdigest()[:32])


def _not_modified(request, etag: str) -> bool:
    return etag in parse_etags(request.headers.get("If-None-Match", ""))


def _finish(request, response, etag: str, status: str):
    if _not_modified(request, etag):
        not_modified = HttpResponseNotModified()
        # What a 304 may carry of the full response (RFC 9110 15.4.5), e.g. a badge's CORP.
        for name in ("Cross-Origin-Resource-Policy", "Content-Location"):
            if name in response:
                not_modified[name] = response[name]
        response = not_modified
    response["ETag"] = etag
    # Browsers revalidate every time (ETag → 304), so a new publication shows at once.
    response["Cache-Control"] = "no-cache"
    response["X-Public-Cache"] = status
    patch_vary_headers(response, ["Cookie", "HX-Request"])
    return response


def public_page(view=None, *, store: bool = True):
    """Decorates a public view: ETag/304 always; whole-response cache when ``store``.

    Pages that read live rows besides publications (X会議, whose status depends on today) use
    ``store=False``: they get the ETag and 304 but are rendered every time.
    """

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            use_cache = store and _may_use_cache(request)
            key = cache_key(request, publication_fingerprint()) if use_cache else None
            if key:
                hit = cache.get(key)
                if hit is not None:
                    content, headers, etag = hit
                    response = HttpResponse(content)
                    # The view's own headers (Content-Type, a badge's Cross-Origin-Resource-
                    # Policy…) come back with it; middleware adds the rest as on a miss.
                    for name, value in headers.items():
                        response[name] = value
                    return _finish(request, response, etag, "hit")
            response = view(request, *args, **kwargs)
            if response.status_code != 200 or response.streaming:
                return response
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            etag = content_etag(response.content)
            status = "bypass"
            # A page that touched the CSRF token or set a cookie belongs to one visitor only.
            if key and not response.cookies and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
                cache.set(
                    key,
                    (response.content, dict(response.headers), etag),
                    settings.PUBLIC_PAGE_CACHE_SECONDS,
                )
                status = "miss"
            return _finish(request, response, etag, status)

        return wrapper

    if view is not None:
        return decorate(view)
    return decorate
