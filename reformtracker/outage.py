"""A request the database could not serve (it is restarting, unreachable, or refused the
connection) is answered 503 with a page saying so and when to retry, not a bare 500.

The error is recognised in the 500 handler (reformtracker.views.server_error), which Django calls
for an exception raised anywhere in the request: in a view, a template, or a middleware that reads
the database before the view (the page cache's publication fingerprint, the session). Each such
request writes one log line naming the request's id, instead of Django's traceback per request,
which during an outage would bury the log under thousands of identical ones.
"""

import logging

from django.db import InterfaceError, OperationalError

from reformtracker.access_log import user_id

logger = logging.getLogger("reformtracker.outage")

# What the database driver raises when the server is down or the connection was lost.
# (SQLite raises OperationalError for a locked database as well: also worth a retry later.)
OUTAGE_ERRORS = (OperationalError, InterfaceError)
# Sent as Retry-After: a database restart takes seconds; a client retrying sooner is refused again.
RETRY_AFTER_SECONDS = 30


def is_database_outage(error: BaseException | None) -> bool:
    return isinstance(error, OUTAGE_ERRORS)


def log(request, error: BaseException) -> None:
    logger.error(
        "database unavailable: %s %s user=%s error=%s: %s",
        request.method,
        request.path,
        # Never looked up here: that would ask the database that is down once more.
        user_id(request),
        type(error).__name__,
        str(error).strip(),
    )


def cause_of(error: BaseException | None) -> BaseException | None:
    """The database error behind ``error``, or None. The session backend turns a database error
    while saving the session (at the end of a request, after the view has run and perhaps
    committed) into SessionInterrupted, a 400: behind it is the outage."""
    for _depth in range(5):
        if error is None or is_database_outage(error):
            return error
        error = error.__cause__ or error.__context__
    return None
