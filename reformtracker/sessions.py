"""A signed-in session that ends after SESSION_COOKIE_AGE without a request, renewed at most
once per thirtieth of that time (a minute of the default half hour).

Django's SESSION_SAVE_EVERY_REQUEST renews the expiry by writing the session's row on every
request that reads the session: a staff member's every page, save and htmx poll was one more
write transaction on the primary (a commit, which on a durable PostgreSQL waits for the disk)
and a fresh cookie. Here the session's row is written when the session changed, or when its
last renewal is a thirtieth of SESSION_COOKIE_AGE old: so it still ends between 29/30 of
SESSION_COOKIE_AGE and SESSION_COOKIE_AGE after the last request.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware

# When the session was last saved (seconds since the epoch), kept in the session itself.
RENEWED_KEY = "_renewed_at"


def renew_after() -> int:
    """How old the last renewal may be, in seconds, before a request renews the session."""
    return settings.SESSION_COOKIE_AGE // 30


class IdleSessionMiddleware(SessionMiddleware):
    def process_response(self, request, response):
        session = getattr(request, "session", None)
        # Only a session the request read (as SESSION_SAVE_EVERY_REQUEST would save): a request
        # that never looked at it (a stored page, a static file) leaves it alone.
        if session is not None and session.accessed and not session.is_empty():
            now = int(time.time())
            renewed = session.get(RENEWED_KEY, 0)
            due = not isinstance(renewed, int) or now - renewed >= renew_after()
            if session.modified or due:
                session[RENEWED_KEY] = now  # marks it modified: saved, and its cookie sent
        return super().process_response(request, response)
