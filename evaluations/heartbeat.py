"""The background worker's heartbeat, and the readiness check that reads it.

``manage.py worker`` (django-tasks-db's db_worker with a heartbeat) runs a ``Heartbeat``: a
thread of its own, with its own database connection (Django's connections are per thread), that
writes the worker's ``WorkerHeartbeat`` row every WORKER_HEARTBEAT_SECONDS, whether the worker
is idle or in the middle of a report. A thread rather than a beat between tasks, because one
task (a large report) can take minutes, and a worker busy with it is alive.

``worker_heartbeat`` is a readiness check (reformtracker.health): the evaluations app adds it to
READINESS_CHECKS when it is ready, so the project package names no domain app. Both the write
and the comparison use the database's clock. Errors are caught as ``django.db.Error``, which
also covers a connection psycopg already closed (InterfaceError), as after a database restart.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import timedelta

from django.conf import settings
from django.db import Error as DatabaseError
from django.db import connection
from django.db.models.functions import Now

from evaluations.models import WorkerHeartbeat

logger = logging.getLogger("reformtracker.worker")

STALE = "worker heartbeat stale"


def worker_heartbeat() -> str | None:
    """None when some worker wrote its row within WORKER_HEARTBEAT_STALE_SECONDS (or when
    READINESS_REQUIRES_WORKER is off); otherwise "worker heartbeat stale"."""
    if not settings.READINESS_REQUIRES_WORKER:
        return None
    limit = Now() - timedelta(seconds=settings.WORKER_HEARTBEAT_STALE_SECONDS)
    try:
        alive = WorkerHeartbeat.objects.filter(last_seen__gte=limit).exists()
    except DatabaseError:
        # The database check names this cause; a second reason would only repeat it.
        return None
    if not alive:
        logger.warning(
            "readiness: no worker heartbeat in the last %s s",
            settings.WORKER_HEARTBEAT_STALE_SECONDS,
        )
        return STALE
    return None


class Heartbeat:
    """Writes ``worker_id``'s row now and every ``interval`` seconds until ``stop()``, which
    deletes the row (a worker that stops cleanly is gone, not stale)."""

    def __init__(self, worker_id: str, interval: float | None = None):
        self.worker_id = worker_id
        self.interval = settings.WORKER_HEARTBEAT_SECONDS if interval is None else interval
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="worker-heartbeat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=max(5.0, self.interval * 2))
        try:
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
        except DatabaseError as error:
            logger.warning("worker %s: could not remove its heartbeat: %s", self.worker_id, error)

    def beat(self) -> None:
        """One write: the row's last_seen becomes the database's now (the row is made if it is
        missing, as on the first beat or after someone cleared the table)."""
        updated = WorkerHeartbeat.objects.filter(worker_id=self.worker_id).update(last_seen=Now())
        if not updated:
            WorkerHeartbeat.objects.create(
                worker_id=self.worker_id,
                host=socket.gethostname()[:255],
                pid=os.getpid(),
                started=Now(),
                last_seen=Now(),
            )

    def _run(self) -> None:
        try:
            while not self._stopped.is_set():
                try:
                    self.beat()
                except DatabaseError as error:
                    # The database is down or restarting: drop the connection, so the next beat
                    # opens a new one, and keep beating; readiness reads stale meanwhile.
                    logger.warning("worker %s: heartbeat not written: %s", self.worker_id, error)
                    connection.close()
                self._stopped.wait(self.interval)
        finally:
            connection.close()
