"""What every public page and open-data file shares: the ``public_page`` decorator (ETag, 304,
and the mark that lets evaluations.public_cache store the page whole), ``stored_by_day`` for a
page that also depends on today's date, and the licence with the JSON response that carries it.

Generic on purpose: result pages (evaluations) and X会議 pages (xmeetings) both wear it, and
neither app imports the other's views for it.
"""

from __future__ import annotations

import gzip
import hashlib
from functools import wraps

from django.http import HttpResponseNotModified, JsonResponse, QueryDict
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags, quote_etag

# Addresses that are never public pages, written once for the page cache (never stores them),
# the method check (they take POST) and the no-store header (signed-in areas).
PRIVATE_AREAS = ("/staff/", "/office/", "/accounts/", "/admin/", "/setup/")
# /municipalities/: a city's logo and accent stylesheet, files with their own year-long cache
# headers (their addresses carry their content), not pages.
NOT_PUBLIC = (*PRIVATE_AREAS, "/healthz", "/readyz", "/i18n/", "/municipalities/")

# Every published figure and every open-data file is offered under this licence.
LICENCE = {
    "name": "CC BY 4.0",
    "url": "https://creativecommons.org/licenses/by/4.0/deed.ja",
}


def licensed_json(payload: dict, status: int = 200) -> JsonResponse:
    """``payload`` as pretty-printed UTF-8 JSON with the licence as its first key."""
    return JsonResponse(
        {"licence": LICENCE, **payload},
        status=status,
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )


def content_etag(content: bytes) -> str:
    return quote_etag(hashlib.sha256(content).hexdigest()[:32])


# A stored page's gzip copy (evaluations.public_cache) is another representation of the same
# content, so it gets its own ETag, the page's with this inside the quotes (as Apache's
# mod_deflate names it): a shared cache never mixes the two up.
GZIP_ETAG_SUFFIX = "-gzip"

# What is worth compressing: text, JSON and XML. Not the PNG cards, already compressed.
_COMPRESSIBLE = ("text/", "application/json", "application/atom+xml", "image/svg+xml")

# A page this long or longer is worth a gzip copy where one is kept (the page cache's stored
# pages, reformtracker.page_memo's kept ones); shorter ones gain too little for the header.
GZIP_MIN_BYTES = 1024


def compressible(response) -> bool:
    return response.get("Content-Type", "").startswith(_COMPRESSIBLE)


def worth_gzip(content: bytes, headers) -> bool:
    """Whether ``content`` with ``headers`` (a response, or the headers stored with it) is
    worth a gzip copy."""
    return len(content) >= GZIP_MIN_BYTES and compressible(headers)


def gzip_content(content: bytes) -> bytes:
    """``content`` gzipped; mtime 0, so the same page always compresses to the same bytes."""
    return gzip.compress(content, mtime=0)


def gzip_etag(etag: str) -> str:
    return f'{etag[:-1]}{GZIP_ETAG_SUFFIX}"'


def not_modified(request, etag: str) -> bool:
    """Whether the visitor already holds this content, in either representation: a copy
    received gzipped names the same content (``gzip_etag``). Compared weakly, as If-None-Match
    asks (RFC 9110 13.1.2): the balancer makes the ETag of what it gzips weak (W/"…")."""
    held = {tag.removeprefix("W/") for tag in parse_etags(request.headers.get("If-None-Match", ""))}
    return etag in held or gzip_etag(etag) in held


def accepts_gzip(request) -> bool:
    """Whether Accept-Encoding accepts gzip: named (or ``x-gzip``), else through ``*``, with a
    quality above 0 (RFC 9110 12.5.3)."""
    header = request.headers.get("Accept-Encoding", "").lower()
    if "gzip" not in header and "*" not in header:
        return False
    qualities = {}
    for item in header.split(","):
        coding, _, parameters = item.partition(";")
        quality = parameters.strip()
        try:
            value = float(quality.removeprefix("q=")) if quality.startswith("q=") else 1.0
        except ValueError:
            value = 0.0
        qualities[coding.strip()] = value
    for coding in ("gzip", "x-gzip", "*"):
        if coding in qualities:
            return qualities[coding] > 0
    return False


# What a 304 carries of the full response besides ETag and caching headers (RFC 9110 15.4.5).
_KEPT_ON_304 = ("Cache-Control", "Vary", "Content-Location", "Cross-Origin-Resource-Policy")


def answer_304(response, etag: str) -> HttpResponseNotModified:
    answer = HttpResponseNotModified()
    for name in _KEPT_ON_304:
        if name in response:
            answer[name] = response[name]
    answer["ETag"] = etag
    return answer


def canonical_query(request, params) -> str:
    """The query string a public page is a function of: only the ``params`` its view reads, in
    their order, each with the last value given (what ``QueryDict.get`` reads). Anything else
    (``card.png?r=…``, a tracker's ``utm_…``) is dropped, and ``?a=1&b=2`` is ``?b=2&a=1``."""
    query = QueryDict(mutable=True)
    for name in params:
        value = request.GET.get(name)
        if value is not None:
            query[name] = value
    return query.urlencode()


def use_canonical_query(request, params) -> None:
    """Makes the request's query string (``GET``, ``get_full_path``, ``build_absolute_uri``)
    the canonical one, so a page rendered for ``?r=1`` is the page stored for every ``?r=``."""
    canonical = canonical_query(request, params)
    if request.META.get("QUERY_STRING", "") != canonical:
        request.META["QUERY_STRING"] = canonical
        request.GET = QueryDict(canonical)


def public_page(view=None, *, params: tuple[str, ...] = ()):
    """Decorates a public view: ETag/304 always; stored whole by PublicPageCacheMiddleware when
    the middleware found the request cacheable.

    ``params``: the query parameters the view reads, stated once. The view sees only these
    (evaluations.public_cache keys the stored page on them alone), so an unknown parameter can
    neither change the page nor make a new cache entry.

    A page that depends on today as well (X会議, the Atom feeds) is stored by day
    (``stored_by_day``).
    """

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            use_canonical_query(request, params)
            response = view(request, *args, **kwargs)
            if response.status_code != 200 or response.streaming:
                return response
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            # A page kept per process (reformtracker.page_memo) brings the ETag worked out
            # when it was kept: hashing a 7.3 MB results file was most of serving it again.
            etag = getattr(response, "content_etag", None) or content_etag(response.content)
            storable = (
                getattr(request, "public_cache_key", None) is not None
                # A page that touched the CSRF token belongs to one visitor only.
                and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            )
            response["ETag"] = etag
            # Browsers revalidate every time (ETag → 304), so a new publication shows at once.
            response["Cache-Control"] = "no-cache"
            response["X-Public-Cache"] = "miss" if storable else "bypass"
            vary = ["Cookie", "HX-Request"]
            if compressible(response):
                vary.append("Accept-Encoding")  # a stored copy goes out gzipped to whoever takes it
            patch_vary_headers(response, vary)
            # A kept page's gzip copy, made at most once (reformtracker.page_memo), to a client
            # that takes it; a page the page cache is about to store gets the cache's copy.
            gzipped = getattr(response, "gzipped", None)
            if gzipped is not None and (storable or not accepts_gzip(request)):
                gzipped = None
            if not_modified(request, etag):
                return answer_304(response, gzip_etag(etag) if gzipped else etag)
            response.public_cache_store = storable
            if gzipped is not None:
                response.content = gzipped()
                response["Content-Encoding"] = "gzip"
                response["Content-Length"] = str(len(response.content))
                response["ETag"] = gzip_etag(etag)
            return response

        wrapper.public_params = tuple(params)
        return wrapper

    if view is not None:
        return decorate(view)
    return decorate


def stored_by_day(view):
    """Marks a public view (outside ``public_page``) whose page also depends on today's date,
    as the Atom feeds do (a meeting counts as held once its dates have passed): its stored
    copy is keyed by the date as well as the publications, so it changes at midnight."""
    view.public_by_day = True
    return view
