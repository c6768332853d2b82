"""A large report made in parts, one process each, and joined into one tagged PDF.

WeasyPrint lays a document out on one core. A 1,000-item report spends about 7 s there, so
``pdf.make_report`` cuts a large report at the page breaks it has anyway (each 取組方針 starts a
page) and lays the parts out at once, each in a process forked with WeasyPrint loaded
(``process_context``). Only page numbers tie the parts together:

1. each part is laid out; its process says how many pages it has and where its anchors
   are, and waits;
2. meanwhile the front (cover and contents) is laid out here, to learn its length;
3. each part is told how many pages precede it and how many the report has, prints its
   ``n / N`` footers with those, writes its PDF and sends it back; meanwhile the front is
   made again, with the contents' page numbers;
4. the PDFs are joined with pikepdf (qpdf), each part as it arrives while the later ones are
   still being written: pages, the structure tree and its parent tree, named destinations and
   the outline, so the result is one tagged document as if it had been made in one piece.

Where the processes come from a forkserver, the program's ``__main__`` module is imported again
in each, so it must be cheap to import (manage.py, gunicorn and pytest are; a script keeps its
set-up under ``if __name__ == "__main__"``).

Of Django this module reads only the settings (REPORT_PART_TIMEOUT_SECONDS); the caller gives
it the HTML.
"""

from __future__ import annotations

import ctypes
import gc
import io
import logging
import multiprocessing
import multiprocessing.connection
import threading
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings

from evaluations.reports import typesetting

logger = logging.getLogger(__name__)

# Given the anchors' page numbers (None while they are unknown), the HTML of a report's cover
# and contents.
FrontHtml = Callable[[dict[str, int] | None], str]


class PartsError(Exception):
    """A part could not be made; the report can still be made in one piece."""


@dataclass
class Part:
    process: multiprocessing.Process
    connection: multiprocessing.connection.Connection
    pages: int = 0
    before: int = 0
    anchors: dict[str, int] = field(default_factory=dict)
    peak_rss_mb: float = 0.0
    cpu_seconds: float = 0.0

    def receive(self, kind: str):
        # A part that takes longer is given up (stop() kills its process).
        timeout = settings.REPORT_PART_TIMEOUT_SECONDS
        ready = multiprocessing.connection.wait(
            [self.connection, self.process.sentinel], timeout=timeout
        )
        if not ready:
            raise PartsError(f"no answer in {timeout} s")
        try:
            message = self.connection.recv() if self.connection in ready else None
        except EOFError:
            message = None
        if message is None:  # the process ended without a word
            self.process.join(timeout=5)
            raise PartsError(f"the report process ended (exit code {self.process.exitcode})")
        if message[0] != kind:
            raise PartsError(message[1] if message[0] == "failed" else f"unexpected {message[0]}")
        return message[1:]

    def stop(self) -> None:
        self.connection.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join()


@dataclass
class Report:
    """A report's PDF; for one made in parts, also each part's pages and what its process
    cost: peak memory (MB) and CPU time (s), which the bench prints."""

    data: bytes
    part_pages: list[int] = field(default_factory=list)
    part_peak_rss_mb: list[float] = field(default_factory=list)
    part_cpu_seconds: list[float] = field(default_factory=list)


def make(
    front_html: FrontHtml,
    part_htmls: Sequence[str] | None,
    whole_html: Callable[[], str],
    *,
    tagged: bool = True,
    progress: Callable[[int, str], None] = lambda percent, step: None,
) -> Report:
    """The report from its HTML: made in parts (``render``) when it is cut into more than one,
    else, or when the parts could not be made, in one piece from ``whole_html()``. The same
    whether the command's typesetting process (``ahead``) or the caller's process makes it."""
    if in_parts(part_htmls):
        progress(20, f"ページを{len(part_htmls)}つのプロセスで組版しています")
        try:
            report = render(front_html, part_htmls, tagged=tagged, progress=progress)
        except PartsError:
            logger.exception("The report could not be made in parts; making it in one piece")
        else:
            give_memory_back()
            return report
    with fewer_collections():
        progress(20, "ページを組版しています")
        document = typesetting.render(whole_html(), tagged=tagged)
        progress(80, f"PDFを書き出しています（{len(document.pages)}ページ）")
        data = typesetting.write(document, tagged=tagged)
        del document
    give_memory_back()
    return Report(data)


def in_parts(part_htmls: Sequence[str] | None) -> bool:
    """Whether ``make`` makes these in parts (more than one) rather than in one piece."""
    return bool(part_htmls) and len(part_htmls) > 1


def relog(name: str, level: int, message: str) -> None:
    """Logs here what another process logged (a part's, the command's typesetting process's),
    under its logger's name; the message as text, never read as a format string."""
    logging.getLogger(name).log(level, "%s", message)


_gc_lock = threading.Lock()
_gc_depth = 0
_gc_thresholds = (0, 0, 0)
REPORT_GC_THRESHOLDS = (100_000, 50, 1_000)


@contextmanager
def fewer_collections():
    """Raises the cyclic garbage collector's thresholds while a report is made in this process.

    Laying out a 1,000-item report creates some 650,000 objects (boxes, computed styles,
    drawing operations) that stay alive until the PDF is written. With the default thresholds
    CPython runs about 550 collections meanwhile, four of them full ones that walk every object
    of the process, and they find next to nothing: 1.6 of the report's 7.5 s of CPU time. With
    a first threshold of 100,000 it runs about ten young collections. Once the document is
    dropped, one ``gc.collect(1)`` frees its reference cycles (some 570,000 objects) at once,
    which later collections would otherwise do: that 0.45 s stays counted in the report, and
    memory goes back down before the next one. Nested and concurrent reports share the raised
    thresholds (never lower than the process's own); the last one out restores them.
    (A report made in parts needs none of this: each part's process ends with it.)"""
    global _gc_depth, _gc_thresholds
    with _gc_lock:
        if _gc_depth == 0:
            _gc_thresholds = gc.get_threshold()
            gc.set_threshold(*map(max, _gc_thresholds, REPORT_GC_THRESHOLDS))
        _gc_depth += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_depth -= 1
            if _gc_depth == 0:
                gc.set_threshold(*_gc_thresholds)
        gc.collect(1)


def give_memory_back() -> None:
    """glibc keeps the heap a report freed for later allocations: a web worker that made a
    1,000-item report in one piece stayed 80 MB larger, 60 MB after joining one made in parts.
    malloc_trim(0) returns it to the system (in a few milliseconds). Elsewhere than glibc, a
    no-op."""
    global _malloc_trim
    if _malloc_trim is None:
        try:
            _malloc_trim = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _malloc_trim = False
    if _malloc_trim:
        _malloc_trim(0)


_malloc_trim = None


_forkserver = None
_forkserver_lock = threading.Lock()


def process_context():
    """Where the parts' processes come from.

    Forked from this process when it runs a single thread (the terminal command, a sync web
    worker): they start with WeasyPrint warm and share this process's memory until they write
    to it, which made a 1,000-item report 0.2 s faster and 60 MB smaller than the forkserver.
    A process with threads (a threaded web worker, the test server) must not fork: another
    thread may hold a lock the child would wait for forever. It uses a forkserver, a process
    of one thread started once, which preloads ``part_worker`` (WeasyPrint, the font, the
    stylesheet) and forks each part's process."""
    if thread_count() == 1:
        typesetting.warm_up()
        return multiprocessing.get_context("fork")
    global _forkserver
    with _forkserver_lock:
        if _forkserver is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["evaluations.reports.part_worker"])
            _forkserver = context
    return _forkserver


def thread_count() -> int:
    """The threads of this process as the kernel counts them, C threads included (as Python's
    own warning about fork does)."""
    try:
        with open("/proc/self/stat", "rb") as stat:
            return int(stat.read().rsplit(b")", 1)[1].split()[17])
    except (OSError, ValueError, IndexError):
        return threading.active_count()


def render(
    front_html: FrontHtml,
    part_htmls: Sequence[str],
    *,
    tagged: bool = True,
    progress: Callable[[int, str], None] = lambda percent, step: None,
) -> Report:
    """Makes the report from its front (a function of the anchors' page numbers, None while
    they are unknown) and its parts (each starting a page), each part in its own process.
    ``progress(percent, step)`` hears when the pages are laid out and when they are written."""
    from evaluations.reports import part_worker

    context = process_context()
    parts: list[Part] = []
    try:
        for html in part_htmls:
            ours, theirs = context.Pipe()
            process = context.Process(
                target=part_worker.render_part, args=(theirs, html, tagged), daemon=True
            )
            process.start()
            theirs.close()
            parts.append(Part(process, ours))

        front_pages = len(typesetting.render(front_html(None), tagged=tagged).pages)
        for part in parts:
            part.pages, part.anchors = part.receive("pages")
        total = front_pages + sum(part.pages for part in parts)
        progress(60, f"PDFを書き出しています（{total}ページ）")
        before = front_pages
        pages: dict[str, int] = {}
        for part in parts:
            part.before, before = before, before + part.pages
            part.connection.send((part.before, total))
            for name, index in part.anchors.items():
                pages.setdefault(name, part.before + index + 1)
        front = typesetting.render(
            front_html(pages), tagged=tagged, numbering=lambda _pages, _anchors: (0, total)
        )
        if len(front.pages) != front_pages:
            raise PartsError("the front changed length once its page numbers were printed")
        joined = Joined(typesetting.write(front, tagged=tagged))
        del front
        for part in parts:
            data, part.peak_rss_mb, part.cpu_seconds, logged = part.receive("done")
            for name, level, message in logged:
                relog(name, level, message)
            # Joined as it arrives, while the parts after it are still being written.
            joined.add(data)
    except OSError as error:  # a pipe to a process that is gone
        raise PartsError(f"lost a report process: {error}") from error
    finally:
        for part in parts:
            part.stop()

    progress(90, "PDFをまとめています")
    return Report(
        joined.finish(),
        [part.pages for part in parts],
        [part.peak_rss_mb for part in parts],
        [part.cpu_seconds for part in parts],
    )


def join(front: bytes, parts: Sequence[bytes]) -> bytes:
    """One PDF of ``front``'s pages followed by each part's, as WeasyPrint would have written
    it in one piece (``Joined``)."""
    joined = Joined(front)
    for data in parts:
        joined.add(data)
    return joined.finish()


class Joined:
    """A PDF joined from a front and parts, added one at a time (``render`` adds each part as
    it arrives, while later parts are still being written), as WeasyPrint would have written it
    in one piece: one structure tree (the parts' top elements join the front's Document
    element, and the parent tree is renumbered: pages first, then annotations), one name tree
    of destinations (a part's anchor wins over the front's stand-in, see
    ``progress_report.html``), and the parts' bookmarks under the front's last top one (the
    cover's title, as the h2 of a one-piece report are under its h1)."""

    def __init__(self, front: bytes):
        import pikepdf

        self.out = out = pikepdf.open(io.BytesIO(front))
        self.tree = out.Root.get("/StructTreeRoot")
        self.page_entries, self.annotations = (
            _parent_tree(self.tree, out.pages) if self.tree else ([], [])
        )
        self.destinations = _destinations(out)
        self.bookmarks = []

    def add(self, data: bytes) -> None:
        import pikepdf

        out, tree = self.out, self.tree
        source = pikepdf.open(io.BytesIO(data))
        first = len(out.pages)
        out.pages.extend(source.pages)
        page_at = {page.obj.objgen: out.pages[first + i].obj for i, page in enumerate(source.pages)}
        if tree is not None:
            copied = out.copy_foreign(source.Root.StructTreeRoot)
            for element in copied.K[0].K:
                element.P = tree.K[0]
                tree.K[0].K.append(element)
            entries, part_annotations = _parent_tree(copied, out.pages[first:])
            self.page_entries += entries
            self.annotations += part_annotations
        self.destinations.update(_destinations(source, page_at))
        with source.open_outline() as outline:
            self.bookmarks += [_copy_bookmark(item, page_at) for item in outline.root]

    def finish(self) -> bytes:
        import pikepdf

        out, tree, destinations, bookmarks = self.out, self.tree, self.destinations, self.bookmarks
        if tree is not None:
            nums = pikepdf.Array()
            for key, (page, entry) in enumerate(zip(out.pages, self.page_entries, strict=True)):
                page.obj.StructParents = key
                nums.extend([key, entry])
            for key, (element, annotation) in enumerate(self.annotations, start=len(out.pages)):
                annotation.StructParent = key
                nums.extend([key, element])
            tree.ParentTree = out.make_indirect(pikepdf.Dictionary(Nums=nums))
            tree.ParentTreeNextKey = len(out.pages) + len(self.annotations)
        if destinations:
            names = pikepdf.Array()
            for name in sorted(destinations, key=lambda name: name.encode("utf-8")):
                names.extend([pikepdf.String(name), destinations[name]])
            if "/Names" not in out.Root:
                out.Root.Names = pikepdf.Dictionary()
            out.Root.Names.Dests = pikepdf.Dictionary(Names=names)
        if bookmarks:
            with out.open_outline() as outline:
                under = outline.root[-1].children if outline.root else outline.root
                under.extend(bookmarks)

        buffer = io.BytesIO()
        # Object streams: the structure tree's 10,000s of small objects compress to a quarter of
        # the file, and qpdf writes them faster than the uncompressed objects.
        out.save(
            buffer, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate
        )
        return buffer.getvalue()


def _parent_tree(tree, pages):
    """From a WeasyPrint parent tree, whose keys are the page indices and then one per
    annotation: each page's array of marked content, in page order, and for each annotation
    key in order, (the structure element it belongs to, the annotation on ``pages``)."""
    nums = tree.ParentTree.Nums
    entries = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    page_entries = [entries[key] for key in range(len(pages))]
    on_pages = {
        int(annotation.StructParent): annotation
        for page in pages
        for annotation in page.obj.get("/Annots", [])
        if "/StructParent" in annotation
    }
    annotations = [(entries[key], on_pages[key]) for key in sorted(entries) if key >= len(pages)]
    return page_entries, annotations


def _destinations(source, page_at: dict | None = None) -> dict:
    """The named destinations of ``source``, moved to the copies of its pages (``page_at``,
    see ``_on_copies``) when it is a part."""
    names = source.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return {}
    array = names.Dests.Names
    return {
        str(array[i]): _on_copies(array[i + 1], page_at) if page_at else array[i + 1]
        for i in range(0, len(array), 2)
    }


def _copy_bookmark(item, page_at: dict):
    import pikepdf

    copy = pikepdf.OutlineItem(item.title, _on_copies(item.destination, page_at))
    copy.is_closed = item.is_closed
    copy.children.extend(_copy_bookmark(child, page_at) for child in item.children)
    return copy


def _on_copies(destination, page_at: dict):
    """An explicit destination ([page /XYZ left top zoom]) of a part, on the copy of its page
    in the joined PDF (``page_at`` maps each page object of the part to its copy)."""
    import pikepdf

    return pikepdf.Array([page_at[destination[0].objgen], *list(destination)[1:]])
