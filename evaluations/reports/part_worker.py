"""What a part's process runs (``evaluations.reports.parts``).

A forkserver imports this module once, which imports WeasyPrint and prepares the font and the
stylesheet; every part's process is forked from it ready to lay out. Of Django only the settings
are read (the font file, by ``typesetting``), never the database.
"""

from __future__ import annotations

import gc
import logging
import resource
import traceback

from evaluations.reports import typesetting

typesetting.warm_up()


def render_part(connection, html: str, tagged: bool) -> None:
    """Lays out one part, sends the parent its number of pages and its anchors' pages, and is
    told its page numbering (see ``parts``); then writes the part's PDF and sends it back with
    this process's peak memory and CPU time, and what WeasyPrint logged (a missing glyph, say),
    for the parent to log."""
    # The process ends with its part and the exit frees everything at once: the collector
    # would only walk WeasyPrint's 100,000s of live boxes and find nothing.
    gc.disable()
    # Only to the parent: a process forked from a Django one also has its handlers.
    logged = _Logged()
    weasyprint_log = logging.getLogger("weasyprint")
    weasyprint_log.handlers, weasyprint_log.propagate = [logged], False
    try:

        def numbering(pages: int, anchors: dict[str, int]) -> tuple[int, int]:
            connection.send(("pages", pages, anchors))
            return connection.recv()

        document = typesetting.render(html, tagged=tagged, numbering=numbering)
        data = typesetting.write(document, tagged=tagged)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu = usage.ru_utime + usage.ru_stime
        connection.send(("done", data, usage.ru_maxrss / 1024, cpu, logged.records))
    except BaseException:
        connection.send(("failed", traceback.format_exc()))
    finally:
        connection.close()


class _Logged(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))
