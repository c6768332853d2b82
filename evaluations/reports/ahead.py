"""The terminal command's typesetting, started ahead of Django.

``manage.py progress_report`` first sets Django up and reads the plan (about 0.6 s of CPU), and
WeasyPrint needs about 0.4 s more to import and load the font before it lays out a page: one
after the other, on a machine whose second core idles meanwhile. So manage.py calls ``start``
before Django is set up: it forks a process that imports WeasyPrint, prepares the font and the
stylesheet, imports pikepdf (which joins a report made in parts) and waits. The command hands it
the report's HTML (``Typesetter.make``), and it makes the PDF exactly as the command would have
(``parts.make``; the parts' processes are forked from it, warm). It asks the command for what
only Django can write: the contents once their page numbers are known, and the whole report
should the parts fail. It passes on the progress steps and what WeasyPrint logged, and sends
the PDF back.

Only the terminal command does this (REPORT_TYPESET_AHEAD): a web worker or the task worker
warms WeasyPrint once when it starts (REPORT_WARM_UP) and makes every report itself. A
typesetting process lost before or while it works (killed, crashed) costs the head start only:
the command logs it and makes the report itself. The process serves one report and ends; it also
ends when the command ends without asking it (an error, ``--help``), as its end of the pipe
closes. Of Django it reads only the settings, as a part's process does.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from multiprocessing import Pipe
from multiprocessing.connection import Connection


class Lost(Exception):
    """The typesetting process went away or failed; the caller makes the report itself."""


class Typesetter:
    """The command's end of a typesetting process started by ``start``."""

    def __init__(self, pid: int, connection: Connection):
        self.pid = pid
        self.connection = connection

    def make(
        self,
        front_html: Callable[[dict[str, int] | None], str],
        part_htmls: Sequence[str] | None,
        whole_html: Callable[[], str],
        *,
        tagged: bool = True,
        progress: Callable[[int, str], None] = lambda percent, step: None,
    ):
        """``parts.make`` of these, made by the typesetting process; raises Lost when it
        cannot (the process is stopped then)."""
        from evaluations.reports import parts

        front = front_html(None) if parts.in_parts(part_htmls) else None
        try:
            self.connection.send(("make", front, part_htmls, tagged))
            while True:
                kind, *rest = self._receive()
                if kind == "progress":
                    progress(*rest)
                elif kind == "log":
                    parts.relog(*rest)
                elif kind == "front":
                    self.connection.send(front_html(rest[0]))
                elif kind == "whole":
                    self.connection.send(whole_html())
                elif kind == "done":
                    return rest[0]
                else:
                    raise Lost(f"the typesetting process failed:\n{rest[0]}")
        except (OSError, EOFError) as error:
            raise Lost(f"lost the typesetting process: {error!r}") from error
        finally:
            self.stop()

    def _receive(self):
        from django.conf import settings

        timeout = settings.REPORT_PART_TIMEOUT_SECONDS
        if not self.connection.poll(timeout):
            raise Lost(f"no answer from the typesetting process in {timeout} s")
        return self.connection.recv()

    def stop(self) -> None:
        """Closes the pipe and reaps the process, which ends by itself once it has answered or
        sees the pipe closed; one still there after a few seconds is killed."""
        self.connection.close()
        deadline = time.monotonic() + 5
        try:
            while not os.waitpid(self.pid, os.WNOHANG)[0]:
                if time.monotonic() > deadline:
                    os.kill(self.pid, signal.SIGKILL)
                    os.waitpid(self.pid, 0)
                    return
                time.sleep(0.005)
        except ChildProcessError:
            pass  # already reaped


_typesetter: Typesetter | None = None


def start() -> None:
    """Forks the typesetting process, when REPORT_TYPESET_AHEAD is on. Called by manage.py for
    ``progress_report`` only, before Django is set up: this process then runs one thread, so
    forking it is safe, and the new process shares nothing but the settings."""
    global _typesetter
    if _typesetter is not None or not hasattr(os, "fork"):
        return
    try:
        from django.conf import settings

        if not settings.REPORT_TYPESET_AHEAD:
            return
    except Exception:
        return  # settings that do not load fail the command itself, with Django's message
    ours, theirs = Pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the typesetting process
        ours.close()
        status = 1
        try:
            _serve(theirs)
            status = 0
        finally:
            # Nothing of the command's exit (atexit handlers, buffered output) runs twice.
            os._exit(status)
    theirs.close()
    _typesetter = Typesetter(pid, ours)


def take() -> Typesetter | None:
    """The typesetting process ``start`` started, for the first report that asks (None when
    there is none: any process but the terminal command, or a second report)."""
    global _typesetter
    typesetter, _typesetter = _typesetter, None
    return typesetter


class _Forward(logging.Handler):
    """What this process logs, sent to the command, which logs it through Django's logging
    (configured there, not here)."""

    def __init__(self, connection: Connection):
        super().__init__(logging.WARNING)
        self.connection = connection

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + "".join(traceback.format_exception(*record.exc_info)).rstrip()
        self.connection.send(("log", record.name, record.levelno, message))


def _serve(connection: Connection) -> None:
    from evaluations.reports import parts, typesetting

    root = logging.getLogger()
    root.handlers, root.level = [_Forward(connection)], logging.WARNING
    typesetting.warm_up()
    import pikepdf  # noqa: F401  (parts.join's, loaded while the command still works)

    try:
        _, front, part_htmls, tagged = connection.recv()
    except EOFError:
        return  # the command ended without a report

    def front_html(pages):
        if pages is None:
            return front
        connection.send(("front", pages))
        return connection.recv()

    def whole_html():
        connection.send(("whole",))
        return connection.recv()

    def progress(percent, step):
        connection.send(("progress", percent, step))

    try:
        report = parts.make(front_html, part_htmls, whole_html, tagged=tagged, progress=progress)
    except Exception:
        connection.send(("failed", traceback.format_exc()))
        return
    connection.send(("done", report))
