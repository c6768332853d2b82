"""Whole-page caching and ETags for the public pages (docs/architecture.md, "Public pages cache
exactly by publication").

A public page is a function of (the published snapshots, the live master data it shows, the
language, the scheme and host its absolute links name, the path, and the query parameters its
view reads), and for the few that also depend on today's date (the Atom feeds, the X会議
pages: reformtracker.public_pages's ``stored_by_day``), of the date. The cache key carries a
fingerprint of the publications and of the master data's version
(initiatives.models.MasterDataVersion, counted by the history writer), so publishing — or
withdrawing — a 時点, or an office's edit of a plan, changes every key at once and nothing
needs invalidating. The fingerprint costs one query per request.

The cache is CACHES["default"]: each process's own memory (make run, tests), or in production
one every app server shares (memcached, settings.CACHE_URL), with a small copy of the pages
each process served in front of it (PUBLIC_PAGE_LOCAL_ENTRIES). With a shared cache the
fingerprint is kept there too (evaluations.published), read once per request, so a
publication through one server shows through every other from its next request.

PublicPageCacheMiddleware serves and stores the pages; the ``public_page`` decorator on each view
(reformtracker.public_pages) sets the ETag and marks what may be stored. Only anonymous visitors without session or message
cookies are served from the cache: staff see
their own header, and a page that used a CSRF token is never stored (a cached token would hand one
visitor's token to the next). The ETag is a hash of the content, so a 304 is right even for text
that is live rather than published (plan notes), and repeat visits cost no rendering.

A stored page of GZIP_MIN_BYTES or more in text, JSON or XML is kept gzipped as well,
compressed once (by its first hit that accepts gzip; a long page as it is stored), and served
so to every client that accepts gzip, with its own ETag (reformtracker.public_pages.gzip_etag);
either ETag held gets a 304.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache, caches
from django.core.exceptions import DisallowedHost
from django.http import HttpResponse
from django.urls import Resolver404, get_urlconf, resolve
from django.utils import timezone, translation
from django.utils.translation import get_language_from_path

from evaluations.published import fingerprint_pinned, publication_fingerprint
from reformtracker import memos
from reformtracker.public_pages import (
    NOT_PUBLIC,
    accepts_gzip,
    answer_304,
    compressible,
    gzip_content,
    gzip_etag,
    not_modified,
    use_canonical_query,
    worth_gzip,
)

# The version names the stored tuple's shape, so app servers of two releases sharing one cache
# during a rolling upgrade never read each other's entries.
CACHE_PREFIX = "public-page-2"

# A stored page of GZIP_MIN_BYTES or more is kept gzipped too, compressed once (by its first
# hit that takes it), and served so to every visitor whose client accepts it (every browser,
# curl --compressed, Python's requests). A plan's per-year results files at 10,000 items are 3.8
# and 7.3 MB: without it every download of them is bound by its bytes, not by any work.
#
# A page this long is stored in two entries, its gzip copy with the headers and the page itself
# apart (under its key + APART), so a gzip hit reads 0.1 MB, not the 7.3 MB beside it: reading
# an entry copies (and, outside memcached, unpickles) all of it. A shorter page is one entry,
# one read for every client.
APART_MIN_BYTES = 256 * 1024
APART = ":identity"


# The root URLconf's addresses that are never public pages (reformtracker/urls.py): requests
# for them skip the cache altogether, so they pay neither the key nor the lookup.


def _may_use_cache(request) -> bool:
    if not settings.PUBLIC_PAGE_CACHE or request.method not in ("GET", "HEAD"):
        return False
    if request.path_info.startswith(NOT_PUBLIC):
        return False
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and "messages" not in request.COOKIES


def _variant(request) -> str:
    """The page or the htmx fragment a request asks for, from the headers django-htmx reads
    (the middleware runs before django-htmx's)."""
    headers = request.headers
    if headers.get("HX-Request") == "true" and headers.get("HX-History-Restore-Request") != "true":
        # Not the HX-Target: no public view reads it, and a random one made a new entry (and
        # a new render) per request, as card.png?r=… did.
        return "htmx"
    return "page"


def _public_view(request, language: str):
    """The view of the address, or None. The language is the path's, as i18n_patterns
    resolve it."""
    return _view_of(get_urlconf(), language, request.path_info)


# Resolving walks the URLconf's patterns one by one: a third of a cache hit's time. The
# patterns are fixed for a URLconf, so the view of each recent address is kept (bounded: any
# address can be asked for).
@memos.lru(maxsize=2048)
def _view_of(urlconf: str | None, language: str, path: str):
    try:
        with translation.override(language):
            return resolve(path, urlconf).func
    except Resolver404:
        return None


def _day(view) -> str:
    """Today's date for a view marked ``stored_by_day`` (reformtracker.public_pages), else ""."""
    return timezone.localdate().isoformat() if getattr(view, "public_by_day", False) else ""


def cache_key(request, fingerprint: str, language: str, day: str = "") -> str:
    """The page's key: ``request`` has the canonical query string (use_canonical_query) and a
    host ALLOWED_HOSTS accepts. og:image, og:url and the badge's code name the scheme and host,
    so each host (and http/https) gets its own copy. ``day``: today's date, for a page that
    depends on it (``stored_by_day``)."""
    parts = [
        fingerprint,
        language,
        _variant(request),
        request.scheme,
        request.get_host(),
        request.get_full_path(),
    ]
    if day:
        parts.append(day)
    raw = "|".join(parts)
    return f"{CACHE_PREFIX}:{hashlib.sha256(raw.encode()).hexdigest()}"


def _host_allowed(request) -> bool:
    """Whether ALLOWED_HOSTS accepts the request's host. A stored page is never served to a
    host Django would refuse: the request goes on and is refused with a 400 as on a miss."""
    try:
        request.get_host()
    except DisallowedHost:
        return False
    return True


class PublicPageCacheMiddleware:
    """Serves stored public pages before the rest of the stack runs, and stores them after it.

    Placed right after WhiteNoise: a hit costs a key and a cache read, with no session, locale,
    CSRF, auth or messages work, as Django's own FetchFromCacheMiddleware does. What is stored is
    the response as the inner middleware left it (X-Frame-Options, Content-Language, Vary …),
    so a hit is the same response; SecurityMiddleware, outside, adds its headers to both.

    Only responses the ``public_page`` decorator marks are stored. The language is read from
    the path, as LocaleMiddleware does for the public pages (all under i18n_patterns: /en/… is
    English, an unprefixed path the default language).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = fingerprint = None
        if _may_use_cache(request) and _host_allowed(request):
            language = get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
            view = _public_view(request, language)
            # The query parameters the view reads (``public_page(params=…)``); None: not a
            # public page.
            params = getattr(view, "public_params", None)
            if params is not None:
                use_canonical_query(request, params)
                fingerprint = publication_fingerprint()
                key = cache_key(request, fingerprint, language, _day(view))
        if not settings.PUBLIC_CACHE_SHARED:
            return self._respond(request, key)
        # With a shared cache, the fingerprint read for the key is the one the view's memos
        # use too (one read per request). Only for public pages: /healthz and the rest never
        # read it (nor, when the cache has none, the database).
        with fingerprint_pinned(fingerprint):
            return self._respond(request, key)

    def _respond(self, request, key):
        if key is not None:
            response = _stored(request, key)
            if response is not None:
                return response
            request.public_cache_key = key
        response = self.get_response(request)
        if (
            key
            and getattr(response, "public_cache_store", False)
            and response.status_code == 200
            # A page that set a cookie (a CSRF token, a message) belongs to one visitor only.
            and not response.cookies
        ):
            _store(request, key, response)
        return response


def _stored(request, key: str):
    """The stored page as this request gets it (gzipped if it accepts that), a 304 when it
    holds the page already, or None when nothing is stored."""
    hit = _get(key)
    if hit is None:
        return None
    content, headers, etag, compressed = hit
    gzipped = accepts_gzip(request) and (compressed is not None or worth_gzip(content, headers))
    if gzipped and compressed is None:
        # Made by the first hit that takes it, once for every later one: a page stored and
        # never asked for again (a search) is never compressed.
        compressed = gzip_content(content)
        _set(key, (content, headers, etag, compressed))
    if not gzipped and content is None:
        content = _get(f"{key}{APART}")
        if content is None:
            # Evicted apart from its page (or too long for the cache to take): rendered and
            # stored again, with the copy it has rather than compressing it again.
            request.public_gzip_copy = compressed
            return None
    response = HttpResponse(compressed if gzipped else content)
    for name, value in headers.items():
        response[name] = value
    response["X-Public-Cache"] = "hit"
    if gzipped:
        _gzip_headers(response, etag)
    # Either ETag names this content; the 304 names the copy this request gets.
    if not_modified(request, etag):
        return answer_304(response, response["ETag"])
    return response


def _store(request, key: str, response) -> None:
    """Stores the page. A long one is stored apart from its gzip copy, made now (sent to this
    request if it accepts it); a shorter one's copy is made by its first hit that takes it."""
    content, etag = response.content, response["ETag"]
    compressed, kept = None, content
    if len(content) >= APART_MIN_BYTES and compressible(response):
        # A page kept per process may have its copy already (reformtracker.page_memo), or the
        # stored one whose page was evicted (``_stored``).
        gzipped = getattr(response, "gzipped", None)
        compressed = getattr(request, "public_gzip_copy", None)
        if compressed is None:
            compressed = gzipped() if gzipped is not None else gzip_content(content)
        # Stored first, so the page's entry never names a body that was not there yet.
        _set(f"{key}{APART}", content)
        kept = None
    _set(key, (kept, dict(response.headers), etag, compressed))
    if compressed is not None and accepts_gzip(request):
        response.content = compressed
        _gzip_headers(response, etag)


def _gzip_headers(response, etag: str) -> None:
    """The headers of a page's gzip copy (``etag``: the page's)."""
    response["Content-Encoding"] = "gzip"
    response["Content-Length"] = str(len(response.content))
    response["ETag"] = gzip_etag(etag)


def _local():
    """Each process's own copy in front of a shared cache, or None."""
    if settings.PUBLIC_CACHE_SHARED and settings.PUBLIC_PAGE_LOCAL_ENTRIES > 0:
        return caches["public_pages_local"]
    return None


def _get(key: str):
    """What is stored under ``key``: this process's copy, else the shared cache's, then kept
    here too until the shared one expires. The key names the publications, so a copy is as
    fresh as the shared one."""
    local = _local()
    if local is not None:
        hit = local.get(key)
        if hit is not None:
            return hit[0]
    hit = cache.get(key)
    if hit is None:
        return None
    if local is not None:
        remaining = hit[1] - time.time()
        if remaining >= 1:
            local.set(key, hit, int(remaining))
    return hit[0]


def _set(key: str, value) -> None:
    seconds = settings.PUBLIC_PAGE_CACHE_SECONDS
    stored = (value, time.time() + seconds)
    local = _local()
    if local is not None:
        local.set(key, stored, seconds)
    cache.set(key, stored, seconds)
