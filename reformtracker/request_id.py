"""A short id for every request: on the request (``request.id``), in the X-Request-ID response
header, on the error pages and in every log line written while the request is served, so a
visitor's screenshot of an error page leads to its log lines."""

import contextvars
import logging
import re
import uuid

HEADER = "X-Request-ID"
# An id a proxy in front may already have given the request is kept when it is a plain short
# token; anything else (spaces, quotes, control characters, kilobytes) could forge log lines.
_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")

_current = contextvars.ContextVar("request_id", default="-")


def incoming_or_new(value: str | None) -> str:
    if value and _SAFE.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Outermost, so the id is set before anything can log or fail, and the header is on every
    response, stored public pages served from the cache included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.id = incoming_or_new(request.headers.get(HEADER))
        token = _current.set(request.id)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response[HEADER] = request.id
        return response


class RequestIdFilter(logging.Filter):
    """Gives each log record a ``request_id`` (``-`` outside a request) for the formatter."""

    def filter(self, record):
        request = getattr(record, "request", None)
        record.request_id = getattr(request, "id", None) or _current.get()
        return True
