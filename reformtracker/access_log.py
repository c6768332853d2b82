"""One log line per request (logger ``reformtracker.access``): method, path, status, time taken
and CPU used, whether the page cache served it, and who asked, with the request's id. In production it is a JSON object on stdout
(reformtracker.log_lines.JsonFormatter), which a log shipper reads without a parser of its own.

The query string is left out: searches are what visitors typed, and the path is enough to find a
slow page. Who asked is the user's id once something in the request has looked the user up (every
signed-in page does); the log line never loads the user itself.
"""

import logging
import time

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.utils.functional import empty

logger = logging.getLogger("reformtracker.access")


def user_id(request) -> int | str:
    """The signed-in user's id, or "-": without a database query of its own."""
    user = getattr(request, "user", None)
    user = getattr(user, "_wrapped", user)  # a lazy user not yet looked up stays unlooked
    if user is None or user is empty or not user.is_authenticated:
        return "-"
    return user.pk


class AccessLogMiddleware:
    """Just inside the request id's middleware: the time covers every other middleware (static
    files and stored pages included), and the line goes out with the status actually sent."""

    def __init__(self, get_response):
        if not settings.ACCESS_LOG:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        started, cpu_started = time.perf_counter(), time.thread_time()
        response = self.get_response(request)
        # The CPU this request's thread used (a sync worker serves one request at a time, a
        # threaded one one per thread): what a page costs the app servers, apart from the time
        # it waited on the database or for a core. Its clock is read inside the wall clock's
        # interval (started after it, stopped before it), so it never reads more than the time
        # taken, rounded alike: read the other way round, 0.8 ms of CPU came out of 0.7 ms.
        cpu_ms = round((time.thread_time() - cpu_started) * 1000, 1)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        logger.info(
            "%s %s %s %sms",
            request.method,
            request.path,
            response.status_code,
            duration_ms,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "cpu_ms": cpu_ms,
                # A public page served from the page cache ("hit"), rendered and stored
                # ("miss") or rendered every time ("bypass"); "-" for every other response.
                "cache": response.get("X-Public-Cache", "-"),
                "user": user_id(request),
            },
        )
        return response
