"""`manage.py worker`: django-tasks-db's db_worker, plus a heartbeat /readyz can read.

Every option of db_worker is accepted (`--interval`, `--queue-name`, `--worker-id`, ...). The
worker writes its WorkerHeartbeat row every WORKER_HEARTBEAT_SECONDS from a thread of its own
(evaluations.heartbeat), idle or busy, and deletes it when it stops on SIGTERM or Ctrl-C.

It never runs under the autoreloader: there the tasks run in a child process the reloader
restarts, and the heartbeat must come from the process that runs them. Restart the worker after
changing task code (`make run` does, as it starts one each time).
"""

from django.core.management.base import CommandError
from django_tasks_db.management.commands import db_worker

from evaluations.heartbeat import Heartbeat


class Command(db_worker.Command):
    help = "Run the background worker (db_worker) with a heartbeat for /readyz"

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(reload=False)

    def handle(self, *args, **options) -> None:
        if options["reload"]:
            raise CommandError("manage.py worker does not reload; restart it after a change.")
        heartbeat = Heartbeat(options["worker_id"])
        heartbeat.start()
        try:
            super().handle(*args, **options)
        finally:
            heartbeat.stop()
