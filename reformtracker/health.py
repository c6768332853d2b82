"""Readiness: may this app server take traffic? (/readyz, reformtracker.views.readyz)

/healthz says only that the process answers; /readyz runs every check in READINESS_CHECKS and
is what a load balancer or orchestrator asks before sending requests. A check is a function
that returns None when all is well, or a short English reason (it goes into the 503's text and
the log, never to a visitor's page). The background worker's heartbeat is checked too: the
evaluations app appends its check (evaluations.heartbeat.worker_heartbeat) when it is ready, so
this package names no domain app.
"""

import logging
from collections.abc import Callable

from django.db import DatabaseError, connection

logger = logging.getLogger("reformtracker.health")


def database() -> str | None:
    """The database answers a trivial query (a new connection is opened if it was lost)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        logger.warning("readiness: database unreachable: %s", error)
        return "database unreachable"
    return None


READINESS_CHECKS: list[Callable[[], str | None]] = [database]


def problems() -> list[str]:
    """What keeps this server from being ready, in the order of READINESS_CHECKS; empty when
    ready."""
    return [reason for check in READINESS_CHECKS if (reason := check())]
