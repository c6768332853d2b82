"""WeasyPrint's side of the progress report: the shipped font, the stylesheet, and HTML → PDF.

Of Django it reads only the settings (the font file), not the models: where the parts of a large
report are made in processes forked from a forkserver (``evaluations.reports.parts``), the server
preloads it, so each process starts with WeasyPrint imported, the font registered and the
stylesheet parsed.

The font ships with the project (``fonts/reformgothic.ttf``, a subset of IPAex Gothic; the
REPORT_FONT_FILE setting names another) and is referenced by a file:// URL, so nothing depends on
fonts installed on the machine.

Three hooks replace WeasyPrint and pydyf internals (``_install_hooks``); ``PATCHED_INTERNALS``
lists every name they replace or call outside the libraries' documented API, and
tests/reports/test_typesetting_patches.py fails, naming it, when one of them moves.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

FONT_FILE = Path(settings.REPORT_FONT_FILE)
FONT_FAMILY = "Reform Gothic"
STYLESHEET = Path(__file__).resolve().parent / "progress_report.css"
PDF_UA = "pdf/ua-1"

# Given the number of pages a part of a report has and the 0-based page of each of its anchors,
# returns (pages before the part, pages of the whole report); see render(). None for a report
# made in one piece.
PageNumbering = Callable[[int, dict[str, int]], tuple[int, int]]


@dataclass
class _Numbered:
    numbering: PageNumbering
    pages: list = field(default_factory=list)
    answer: tuple[int, int] | None = None


_numbered: ContextVar[_Numbered | None] = ContextVar("report_page_numbering", default=None)

_font_config = None
_stylesheet = None


_import_lock = threading.Lock()


def import_weasyprint() -> None:
    """Imports WeasyPrint, finding its C libraries by one look at the loader's cache.

    WeasyPrint opens Pango, HarfBuzz, fontconfig… by trying several names per library (one per
    platform); cffi hands each name it cannot open to ``ctypes.util.find_library``, which on
    Linux runs ``ldconfig -p`` and, for a name that is not there, gcc and ld as well: 22
    look-ups, 0.3–0.4 s of the command-line report's start. While WeasyPrint is imported,
    look-ups are answered from one ``ldconfig -p`` listing, by the same pattern ctypes uses, so
    the libraries opened are the same ones. Should a library be found only by ctypes' slower
    search (one on LD_LIBRARY_PATH that ldconfig does not list), the import is made again with
    it; WeasyPrint's complaint about the first attempt is not shown. Nor is the certificate
    store loaded meanwhile (``_no_certificate_store``)."""
    if "weasyprint" in sys.modules:
        return
    with _import_lock:
        if "weasyprint" in sys.modules:
            return
        import ctypes.util

        original = ctypes.util.find_library
        listing = _ldconfig_listing()
        with _no_certificate_store():
            if listing:
                ctypes.util.find_library = lambda name: _soname(listing, name)
                try:
                    with contextlib.redirect_stdout(io.StringIO()):
                        import weasyprint
                    return
                except OSError:
                    pass
                finally:
                    ctypes.util.find_library = original
            import weasyprint  # noqa: F401


@contextlib.contextmanager
def _no_certificate_store():
    """While WeasyPrint is imported, HTTPS contexts are made without loading the system's
    certificate authorities. Its import parses three built-in stylesheets (user agent, forms,
    presentational hints), each with a default URL fetcher whose HTTPS handler loads the whole
    store: 30–50 ms each on a quiet machine, 0.3 s of CPU time under load, for stylesheets that
    are strings and fetch nothing. ``ssl._create_default_https_context`` is the hook PEP 476
    documents for the default HTTPS context. The context given instead still verifies
    certificates, against no authority: an HTTPS request another thread made meanwhile would
    fail, never go unverified."""
    import ssl

    original = ssl._create_default_https_context
    ssl._create_default_https_context = lambda: ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        yield
    finally:
        ssl._create_default_https_context = original


def _ldconfig_listing() -> bytes:
    if not sys.platform.startswith("linux"):
        return b""
    try:
        return subprocess.run(
            ["/sbin/ldconfig", "-p"],
            capture_output=True,
            env={"LC_ALL": "C", "LANG": "C"},
            timeout=10,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return b""


def _soname(listing: bytes, name: str) -> str | None:
    """What ``ctypes.util.find_library(name)`` answers from ldconfig (glibc, this machine's ABI)."""
    abi = {"x86_64": "libc6,x86-64", "ppc64": "libc6,64bit", "sparc64": "libc6,64bit"}
    abi.update({"s390x": "libc6,64bit", "ia64": "libc6,IA-64"})
    abi_type = abi.get(os.uname().machine, "libc6") if sys.maxsize > 2**32 else "libc6"
    found = re.search(rf"\s+(lib{re.escape(name)}\.[^\s]+)\s+\({abi_type}".encode(), listing)
    return os.fsdecode(found.group(1)) if found else None


def fonts():
    # One FontConfiguration per process: building it scans fontconfig, which costs more than
    # laying out a short report.
    global _font_config
    if _font_config is None:
        import_weasyprint()
        from weasyprint.text.fonts import FontConfiguration

        _font_config = FontConfiguration()
        atexit.register(_forget_fonts)
    return _font_config


def _forget_fonts() -> None:
    """At exit, while WeasyPrint's modules are still whole: FontConfiguration.__del__ deletes
    its temporary folder, and fails noisily once interpreter shutdown has cleared them. The
    shared Pango contexts (``_share_pango_contexts``) go first: released after the font
    configuration, they would crash the process as it exits."""
    global _font_config, _stylesheet
    _pango_contexts.clear()
    _stylesheet = _font_config = None


def font_face() -> str:
    return (
        f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{FONT_FILE.as_uri()}"); }}\n'
        f'@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: bold; '
        f'src: url("{FONT_FILE.as_uri()}"); }}'
    )


def stylesheets() -> list:
    """The report's stylesheet (``progress_report.css`` after the shipped font's @font-face
    rules, which html's font-family names), parsed once per process: parsing it for every
    report took about 60 ms, a tenth of the seed report. WeasyPrint only reads a CSS object
    while it renders, so one can serve every report; it belongs to ``fonts()``'s one
    FontConfiguration."""
    global _stylesheet
    if _stylesheet is None:
        import_weasyprint()
        from weasyprint import CSS

        css = f'{font_face()}\nhtml {{ font-family: "{FONT_FAMILY}"; }}\n'
        _stylesheet = CSS(
            string=css + STYLESHEET.read_text(encoding="utf-8"),
            font_config=fonts(),
            url_fetcher=url_fetcher(),
        )
    return [_stylesheet]


_tls = None


def url_fetcher():
    """What a report may fetch: its own files (the font), nothing from the network.

    WeasyPrint's default fetcher for each HTML or CSS object builds an HTTPS handler, which
    loads the system's certificate authorities: 30–50 ms each time, for a report that reads one
    local font file. This one allows only file: and data: URLs and carries a TLS context with no
    authorities loaded, so nothing is loaded and nothing could be fetched over HTTPS anyway.
    One per document: a fetcher keeps the request it is answering, so threads do not share one."""
    global _tls
    import ssl

    from weasyprint.urls import URLFetcher

    if _tls is None:
        _tls = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    return URLFetcher(ssl_context=_tls, allowed_protocols=("file", "data"))


_warm = False


def warm_up() -> None:
    """Imports WeasyPrint (1.5 s: cffi bindings to Pango, fontTools) and prepares the fonts and
    the stylesheet, then makes a one-line PDF, which loads the font into Pango and HarfBuzz and
    imports the modules WeasyPrint imports only when it writes: the first report then costs
    what every later one does (40 ms less), and so does every process forked after this."""
    global _warm
    if not _warm:
        write(render('<html lang="ja"><body><p>進捗状況 1 / 1</p></body></html>'))
        _warm = True


def render(html: str, *, tagged: bool = True, numbering: PageNumbering | None = None):
    """Lays ``html`` out into a WeasyPrint Document (on a roomy frame stack, ``roomy``).

    ``numbering`` is for one part of a report made in several processes: called once the
    part's pages are laid out, with their number and its anchors' pages, it returns how many
    pages come before the part and how many the whole report has, and the running footer's
    ``n / N`` is printed with those (the pages are laid out the same whatever their numbers)."""
    import_weasyprint()
    from weasyprint import HTML

    _install_hooks()
    token = _numbered.set(_Numbered(numbering) if numbering else None)
    try:
        document = HTML(string=html, base_url=str(FONT_FILE.parent), url_fetcher=url_fetcher())
        return roomy(
            document.render,
            stylesheets=stylesheets(),
            font_config=fonts(),
            pdf_variant=PDF_UA if tagged else None,
        )
    finally:
        _numbered.reset(token)


def write(document, *, tagged: bool = True) -> bytes:
    return roomy(document.write_pdf, pdf_variant=PDF_UA if tagged else None, uncompressed_pdf=False)


def _call(function, args, kwargs):
    return function(*args, **kwargs)


# 2**17 slots of 8 bytes: the frame below needs just over 1 MiB, so its chunk is 2 MiB.
ROOMY_SLOTS = 1 << 17
_roomy_call = type(_call)(
    _call.__code__.replace(co_stacksize=_call.__code__.co_stacksize + ROOMY_SLOTS),
    _call.__globals__,
    "_roomy_call",
)


def roomy(function, /, *args, **kwargs):
    """``function(*args, **kwargs)``, its calls kept on one block of memory.

    CPython (3.11 on) keeps the frames of Python calls on a stack of 16 KB chunks per thread:
    a call that does not fit in the current chunk maps a new one (mmap), and the return to its
    first frame unmaps it. WeasyPrint's layout and drawing recurse box by box, in and out
    across such a boundary hundreds of thousands of times; each crossing maps, touches and
    unmaps fresh pages. A 1,000-item report made in parts did it 193,000 times (1.3 s of CPU,
    nearly all in the kernel, where the whole report takes 8 s), depending only on where the
    chunk boundaries fall under the recursion, so by luck. A chunk is made as large as the
    frame that opens it needs, doubled from 16 KB: ``_roomy_call`` is ``_call`` declaring 1 MiB
    more evaluation stack than it uses (an upper bound CPython reserves but never reads), so its
    frame opens a 2 MiB chunk of which nearly 1 MiB is left, and the calls below it stay inside
    it. The kernel gives that memory on first touch. Where frames are not kept so, it is an
    ordinary call;
    tests/reports/test_typesetting_patches.py measures that the effect holds."""
    return _roomy_call(function, args, kwargs)


@dataclass(frozen=True)
class Internal:
    """A name inside WeasyPrint or pydyf that a hook below replaces or calls although the
    library does not document it, so a new release may move it without notice."""

    module: str
    name: str  # within the module; "Class.attribute" for a class's
    # The parameters the hook passes or accepts, in order; None where it is not called.
    parameters: tuple[str, ...] | None
    # The library's function that must look the name up at call time for the replacement to
    # take effect ("module:function" or "module:Class.attribute"); None where nothing is replaced.
    looked_up_by: str | None
    hook: str


# The one list of what the hooks rely on; pyproject.toml bounds WeasyPrint and pydyf to the
# releases checked against it.
PATCHED_INTERNALS = (
    Internal(
        "weasyprint.layout",
        "make_all_pages",
        ("context", "root_box", "html", "pages"),
        "weasyprint.layout:layout_document",
        "_number_margin_boxes",
    ),
    Internal(
        "weasyprint.layout",
        "make_margin_boxes",
        ("context", "page", "state"),
        "weasyprint.layout:layout_document",
        "_number_margin_boxes",
    ),
    # anchors() walks the laid-out page boxes that make_all_pages returns.
    Internal(
        "weasyprint.formatting_structure.boxes",
        "Box.descendants",
        ("self", "placeholders"),
        None,
        "_number_margin_boxes",
    ),
    # Replaced by a namespace of compress and compressobj only.
    Internal("pydyf", "zlib", None, "pydyf:Stream.data", "_deflate_at_level_6"),
    Internal("pydyf", "PDF.page_references", None, None, "memoise_page_references"),
    # Replaced by a copy that takes its Pango context from a cache; the copy is of the source
    # whose digest is LAYOUT_SETUP_SHA256, and a test fails when that source changes.
    Internal(
        "weasyprint.text.line_break",
        "Layout.setup",
        ("self", "style"),
        None,
        "_share_pango_contexts",
    ),
    # Wrapped: the layout of a line is kept from laying out to drawing.
    Internal(
        "weasyprint.text.line_break",
        "Layout.set_text",
        ("self", "text", "justify"),
        None,
        "_keep_line_layouts",
    ),
    Internal(
        "weasyprint.text.line_break", "Layout.deactivate", ("self",), None, "_keep_line_layouts"
    ),
    Internal(
        "weasyprint.text.line_break",
        "Layout.reactivate",
        ("self", "style"),
        None,
        "_keep_line_layouts",
    ),
    # Sets single-paragraph mode on the layout it draws, as the kept layouts already have it.
    Internal(
        "weasyprint.draw.text",
        "draw_first_line",
        ("stream", "textbox", "text_overflow", "block_ellipsis", "matrix"),
        None,
        "_keep_line_layouts",
    ),
)

_hooks_installed = False
_hooks_lock = threading.Lock()


def _install_hooks() -> None:
    # Once per process, whichever thread renders first: installed twice, the margin-box hook
    # would shift the page numbers twice.
    global _hooks_installed
    with _hooks_lock:
        if not _hooks_installed:
            memoise_page_references()
            _deflate_at_level_6()
            _share_pango_contexts()
            _keep_line_layouts()
            _number_margin_boxes()
            _hooks_installed = True


def _number_margin_boxes() -> None:
    """WeasyPrint paginates the whole document, then lays the margin boxes (running header,
    ``n / N`` footer) out from each page's counter state. For a part of a report that state
    counts from the part's first page. When a numbering is set, the pages of the last
    pagination are kept, and before the first margin box the numbering is asked for the
    part's place in the report; the page and pages counters are shifted to it."""
    import weasyprint.layout

    make_all_pages = weasyprint.layout.make_all_pages
    make_margin_boxes = weasyprint.layout.make_margin_boxes

    def keeping_pages(context, root_box, html, pages):
        made = list(make_all_pages(context, root_box, html, pages))
        if (numbered := _numbered.get()) is not None:
            numbered.pages = made
        return made

    def numbered_margin_boxes(context, page, state):
        if (numbered := _numbered.get()) is not None:
            if numbered.answer is None:
                numbered.answer = numbered.numbering(len(numbered.pages), anchors(numbered.pages))
            before, total = numbered.answer
            quote_depth, counters, scopes, groups = state
            counters = {**counters, "page": [counters["page"][-1] + before], "pages": [total]}
            state = (quote_depth, counters, scopes, groups)
        return make_margin_boxes(context, page, state)

    weasyprint.layout.make_all_pages = keeping_pages
    weasyprint.layout.make_margin_boxes = numbered_margin_boxes


def anchors(pages) -> dict[str, int]:
    """The 0-based page of each anchor (an element's id) of laid-out page boxes."""
    found: dict[str, int] = {}
    for index, page in enumerate(pages):
        for box in page.descendants():
            if (name := box.style["anchor"]) and name not in found:
                found[name] = index
    return found


def _deflate_at_level_6() -> None:
    """pydyf deflates every stream at level 9. For a report's content streams level 6 (zlib's
    default) writes a part 15% faster (0.57 s rather than 0.66 s for 26 pages) for a file 3%
    larger; the joined report's object streams are deflated again by qpdf anyway. pydyf reads
    ``zlib`` from its module, so the module gets one whose compressobj ignores the level."""
    import types
    import zlib

    import pydyf

    if isinstance(pydyf.zlib, types.SimpleNamespace):
        return
    pydyf.zlib = types.SimpleNamespace(
        compress=zlib.compress, compressobj=lambda level=None, **options: zlib.compressobj(6)
    )


def memoise_page_references() -> None:
    """pydyf rebuilds the tuple of every page's reference each time ``page_references`` is
    read, and WeasyPrint's PDF/UA tagging reads it once per structure element: for an 87-page
    report that is 17,000 rebuilds of an 87-item tuple. The memo is keyed on the page count
    (pages are only ever appended), so it returns exactly what the property would."""
    import pydyf

    original = pydyf.PDF.page_references
    if getattr(original, "_reformtracker_memo", False):
        return

    def page_references(self):
        count = len(self.pages["Kids"])
        memo = self.__dict__.get("_reformtracker_page_references")
        if memo is None or memo[0] != count:
            memo = (count, original.fget(self))
            self.__dict__["_reformtracker_page_references"] = memo
        return memo[1]

    page_references._reformtracker_memo = True
    pydyf.PDF.page_references = property(page_references)


# sha256 of the source of WeasyPrint's Layout.setup that _share_pango_contexts copies (70.0).
LAYOUT_SETUP_SHA256 = "fb227a55094f41d42fbd57f180d8b7a9a1e741969ec8ddb3fd5cd80920257442"

_pango_contexts: dict = {}


def _share_pango_contexts() -> None:
    """WeasyPrint makes a new Pango context for every piece of text it measures or draws (its
    ``Layout.setup``, run some 25,000 times for a 1,000-item report), each set to the same font
    map, direction and language and each finding its fonts afresh. The copy below takes the
    context from a cache keyed on those three and on the thread (Pango objects are not shared
    between threads); the rest is WeasyPrint's code as it was. The PDF is byte for byte the same
    (tests/reports/test_typesetting_patches.py); laying out and drawing take 5–8% less CPU.
    Text with a decoration (links, underlines) reads the context's font metrics and keeps
    WeasyPrint's own setup."""
    from weasyprint.text import line_break
    from weasyprint.text.constants import LST_TO_ISO, PANGO_DIRECTION
    from weasyprint.text.ffi import ffi, gobject, pango, unicode_to_char_p

    original = line_break.Layout.setup
    if getattr(original, "original", None) is not None:
        return

    def context(font_map, direction: str, language: str | None):
        key = (threading.get_ident(), font_map, direction, language)
        found = _pango_contexts.get(key)
        if found is None:
            shared = ffi.gc(pango.pango_font_map_create_context(font_map), gobject.g_object_unref)
            pango.pango_context_set_round_glyph_positions(shared, False)
            pango.pango_context_set_base_dir(shared, PANGO_DIRECTION[direction])
            if language:
                language_p, _ = unicode_to_char_p(language)
                pango_language = pango.pango_language_from_string(language_p)
                pango.pango_context_set_language(shared, pango_language)
            else:
                pango_language = pango.pango_language_get_default()
            found = _pango_contexts[key] = (shared, pango_language)
        return found

    def setup(self, style):
        if style["text_decoration_line"] != "none":
            return original(self, style)
        self.style = style
        self.first_line_direction = 0
        override = style["font_language_override"]
        if override != "normal":
            language = LST_TO_ISO.get(override.lower(), override)
        else:
            language = style["lang"] or None
        shared, self.language = context(style.font_config.font_map, style["direction"], language)
        assert not isinstance(style["font_family"], str), "font_family should be a list"
        font_description = line_break.get_font_description(style)
        self.layout = ffi.gc(pango.pango_layout_new(shared), gobject.g_object_unref)
        pango.pango_layout_set_auto_dir(self.layout, False)
        pango.pango_layout_set_font_description(self.layout, font_description)
        self.ascent = self.underline_position = self.strikethrough_position = None
        features = line_break.font_features(
            style["font_kerning"],
            style["font_variant_ligatures"],
            style["font_variant_position"],
            style["font_variant_caps"],
            style["font_variant_numeric"],
            style["font_variant_alternates"],
            style["font_variant_east_asian"],
            style["font_feature_settings"],
        )
        if features:
            features = ",".join(f"{key} {value}" for key, value in features.items()).encode()
            attr = style.font_config.font_features.setdefault(
                features, pango.pango_attr_font_features_new(features)
            )
            attr_list = pango.pango_attr_list_new()
            pango.pango_attr_list_insert(attr_list, attr)
            pango.pango_layout_set_attributes(self.layout, attr_list)

    setup.original = original
    line_break.Layout.setup = setup


_PARAGRAPH_SEPARATORS = ("\n", "\r", "\u2029")


def _keep_line_layouts() -> None:
    """WeasyPrint lays each line of text out with Pango, then drops that layout (``deactivate``)
    and, to draw the line, makes it again from the style and the line's text (``reactivate``:
    a new Pango layout, the text itemised and shaped a second time): for a 1,000-item report,
    11,000 lines shaped twice, a quarter of the time it takes to write the PDF. Here a line's
    layout is kept from laying out to drawing when drawing would remake it exactly: left to
    right, not justified (justification adds spacing only when drawing), drawn with the style
    it was made with. Drawing sets Pango's single-paragraph mode, which makes Pango lay the
    text out again even where it changes nothing; text without a paragraph separator gets it
    as it is set, so the kept layout is the one drawn. The layouts live until the page is
    drawn, about 20 MB for 1,000 items in one piece. The PDF is byte for byte the same
    (tests/reports/test_typesetting_patches.py)."""
    from weasyprint.text import line_break
    from weasyprint.text.ffi import pango

    layout_class = line_break.Layout
    if getattr(layout_class.reactivate, "original", None) is not None:
        return
    set_text, deactivate, reactivate = (
        layout_class.set_text,
        layout_class.deactivate,
        layout_class.reactivate,
    )

    def setting_text(self, text, justify=False):
        set_text(self, text, justify)
        if not any(separator in self.text for separator in _PARAGRAPH_SEPARATORS):
            pango.pango_layout_set_single_paragraph_mode(self.layout, True)

    def keeping(self):
        # Kept once, after laying out; dropped after drawing, or when drawing would differ.
        if self.__dict__.get("_kept") is None and not self.justification_spacing:
            if self.style["direction"] == "ltr":
                self._kept = True
                return
        self._kept = False
        deactivate(self)

    def reactivating(self, style):
        if self.__dict__.get("_kept") and style is self.style:
            self._kept = False
            return
        self._kept = False
        reactivate(self, style)

    setting_text.original, keeping.original, reactivating.original = (
        set_text,
        deactivate,
        reactivate,
    )
    layout_class.set_text = setting_text
    layout_class.deactivate = keeping
    layout_class.reactivate = reactivating
