"""The WeasyPrint and pydyf internals the report's hooks rely on are still where they were.

``typesetting.PATCHED_INTERNALS`` lists them. A new WeasyPrint or pydyf that moves one of them
would otherwise make the hooks replace a name nobody calls (silently: footers counting from 1,
slower reports) or break every report; these tests fail first, naming the internal, before the
upper bound in pyproject.toml is raised.
"""

import ast
import importlib
import inspect

import pytest

from evaluations.reports import typesetting


def _resolve(module: str, dotted: str):
    """The object at ``module``'s ``dotted`` name, as its class holds it (a property stays a
    property), or AssertionError naming what is missing."""
    target = importlib.import_module(module)
    for part in dotted.split("."):
        assert hasattr(target, part), f"{module}.{dotted}: {part!r} no longer exists"
        target = inspect.getattr_static(target, part)
    return target


def _label(internal: typesetting.Internal) -> str:
    return f"{internal.module}.{internal.name} (used by typesetting.{internal.hook})"


@pytest.mark.parametrize("internal", typesetting.PATCHED_INTERNALS, ids=_label)
def test_the_internal_still_exists(internal):
    _resolve(internal.module, internal.name)


@pytest.mark.parametrize(
    "internal",
    [internal for internal in typesetting.PATCHED_INTERNALS if internal.parameters is not None],
    ids=_label,
)
def test_the_internal_takes_the_same_parameters(internal):
    function = _resolve(internal.module, internal.name)
    parameters = tuple(inspect.signature(function).parameters)
    assert parameters == internal.parameters, (
        f"{_label(internal)} now takes {parameters}, the hook passes {internal.parameters}"
    )


@pytest.mark.parametrize(
    "internal",
    [internal for internal in typesetting.PATCHED_INTERNALS if internal.looked_up_by],
    ids=_label,
)
def test_the_replaced_name_is_looked_up_where_the_library_uses_it(internal):
    """A replacement takes effect only if the library reads the module's name when it runs
    (``make_all_pages(...)`` in ``layout_document``), not a reference bound elsewhere."""
    module, function_name = internal.looked_up_by.split(":")
    function = _resolve(module, function_name)
    code = (function.fget if isinstance(function, property) else function).__code__
    assert internal.name in code.co_names, (
        f"{internal.looked_up_by} no longer reads {internal.module}.{internal.name}: "
        f"replacing it in typesetting.{internal.hook} would change nothing"
    )


def test_pydyf_uses_only_what_the_replaced_zlib_offers():
    """pydyf.zlib becomes a namespace of compress and compressobj (``_deflate_at_level_6``);
    every zlib call in pydyf must find its function there and be accepted by it."""
    import pydyf

    typesetting.warm_up()
    tree = ast.parse(inspect.getsource(pydyf))
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "zlib"
    ]
    assert calls, "pydyf no longer calls zlib: typesetting._deflate_at_level_6 does nothing"
    for call in calls:
        name = call.func.attr
        assert hasattr(pydyf.zlib, name), (
            f"pydyf now calls zlib.{name}, which typesetting._deflate_at_level_6's namespace lacks"
        )
        arguments = [None] * len(call.args)
        keywords = {keyword.arg: None for keyword in call.keywords if keyword.arg}
        try:
            inspect.signature(getattr(pydyf.zlib, name)).bind(*arguments, **keywords)
        except TypeError as error:
            pytest.fail(f"pydyf calls zlib.{name} in a way the replacement refuses: {error}")


def test_pydyf_page_references_is_a_property_of_the_pages_kids():
    """The memo (``memoise_page_references``) calls the property's getter and is keyed on
    the length of ``pages["Kids"]``."""
    import pydyf

    original = inspect.getattr_static(pydyf.PDF, "page_references")
    assert isinstance(original, property), "pydyf.PDF.page_references is no longer a property"
    document = pydyf.PDF()
    document.add_page(pydyf.Dictionary({"Type": "/Page"}))
    assert "Kids" in document.pages, "pydyf.PDF.pages no longer keeps the pages in Kids"
    assert len(document.page_references) == 1


def test_a_parts_footers_and_anchors_come_from_the_hooked_layout():
    """The page state ``make_margin_boxes`` receives is still (quote depth, counters, scopes,
    groups) with page and pages counters, and the pages ``make_all_pages`` returns still
    carry their anchors: a part of 2 pages after 10 others, in a report of 99, prints
    "11 / 99" and "12 / 99" and finds its second page's anchor."""
    heard = []

    def numbering(pages: int, anchors: dict[str, int]) -> tuple[int, int]:
        heard.append((pages, anchors))
        return 10, 99

    html = (
        '<html lang="ja"><body><h2 id="first">一</h2>'
        '<h2 id="second" style="break-before: page">二</h2></body></html>'
    )
    document = typesetting.render(html, numbering=numbering)
    assert heard == [(2, {"first": 0, "second": 1})], (
        "weasyprint.layout.make_all_pages or Box.descendants no longer give the part's pages "
        "and anchors"
    )
    footers = [
        "".join(
            box.text
            for box in page._page_box.descendants()
            if hasattr(box, "text") and "/" in box.text
        )
        for page in document.pages
    ]
    assert footers == ["11 / 99", "12 / 99"], (
        "weasyprint.layout.make_margin_boxes' page state changed: the footers read "
        f"{footers}, not the report's page numbers"
    )


def test_the_copied_layout_setup_is_still_weasyprints():
    """``_share_pango_contexts`` replaces ``Layout.setup`` by a copy of it that takes its Pango
    context from a cache; a WeasyPrint whose setup reads differently must be copied again."""
    import hashlib

    typesetting.warm_up()
    from weasyprint.text import line_break

    original = line_break.Layout.setup.original
    digest = hashlib.sha256(inspect.getsource(original).encode()).hexdigest()
    assert digest == typesetting.LAYOUT_SETUP_SHA256, (
        "weasyprint.text.line_break.Layout.setup changed: typesetting._share_pango_contexts "
        "copies the old one"
    )


def test_shared_pango_contexts_write_the_same_pdf_byte_for_byte():
    """Text in two languages, bold, small, a link and a table, made with the shared contexts and
    with WeasyPrint's own setup: the same bytes."""
    from weasyprint.text import line_break

    html = (
        '<html lang="ja"><head><meta name="dcterms.created" content="2025-09-16"></head><body>'
        "<h2>評価結果</h2><p>進捗状況を確認した取組項目数は<strong>1,000項目</strong>です。</p>"
        '<p lang="en">Progress of the reform plan, <a href="#t">see the table</a>.</p>'
        '<table id="t"><tr><td>業務プロセスの見直しと効率化に取り組みました</td>'
        '<td style="font-size: 8pt">達成</td></tr></table></body></html>'
    )
    typesetting.warm_up()
    shared = typesetting.write(typesetting.render(html))
    replacement = line_break.Layout.setup
    line_break.Layout.setup = replacement.original
    try:
        own = typesetting.write(typesetting.render(html))
    finally:
        line_break.Layout.setup = replacement
    assert shared == own


def test_a_process_that_made_a_report_with_shared_contexts_exits_cleanly():
    """The shared Pango contexts are released before the font configuration as the process
    exits; released after it, the process crashed (SIGSEGV) once the report was written."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = """
import django
django.setup()
from evaluations.reports import typesetting
typesetting.warm_up()
from weasyprint.text import line_break
print(hasattr(line_break.Layout.setup, "original"), len(typesetting._pango_contexts) > 0)
"""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "reformtracker.settings", "DJANGO_ENV": "test"}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True"]


def _descend(depth: int) -> int:
    return 0 if depth == 0 else _descend(depth - 1) + 1


def _in_and_out() -> None:
    """Calls 300 deep and back, 2,000 times: about 40 KB of frames, across two or more of
    CPython's 16 KB frame-stack chunks each time."""
    for _ in range(2000):
        _descend(300)


def _page_faults_of(function, *args) -> int:
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    function(*args)
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


def test_calls_made_through_roomy_stay_on_one_block_of_the_frame_stack():
    """``typesetting.roomy`` (which lays out and writes every report) relies on how CPython
    keeps frames: in and out across chunk boundaries maps fresh memory each time, and through
    ``roomy`` it does not. A Python that no longer does the first makes ``roomy`` unneeded; one
    that does it under ``roomy`` too makes it useless: either way this test says so."""
    plain = _page_faults_of(_in_and_out)
    assert plain >= 2000, (
        f"recursing in and out made only {plain} page faults: this Python no longer maps a "
        "frame-stack chunk per crossing, and typesetting.roomy can go"
    )
    through_roomy = _page_faults_of(typesetting.roomy, _in_and_out)
    assert through_roomy <= plain / 20, (
        f"through typesetting.roomy the same calls made {through_roomy} page faults against "
        f"{plain}: its frame no longer leaves room for the calls below it"
    )


def test_roomy_passes_the_arguments_and_the_result_and_the_exception():
    assert typesetting.roomy(divmod, 7, 2) == (3, 1)
    assert typesetting.roomy(sorted, [2, 1], reverse=True) == [2, 1]
    with pytest.raises(ZeroDivisionError):
        typesetting.roomy(divmod, 1, 0)


_LAYOUT_HOOKS = ("set_text", "deactivate", "reactivate")


def test_kept_line_layouts_write_the_same_pdf_byte_for_byte():
    """Lines that fit, lines wrapped in a narrow cell, justified text, a link, preformatted text
    with line breaks, right-to-left text and an ellipsis, drawn from the layouts kept since
    laying out (``_keep_line_layouts``) and from layouts made again, as WeasyPrint does: the
    same bytes."""
    from weasyprint.text import line_break

    long = "業務プロセスの見直しと効率化に取り組み、窓口の待ち時間を短縮しました。" * 3
    html = (
        '<html lang="ja"><head><meta name="dcterms.created" content="2025-09-16"></head><body>'
        f"<h2>評価結果</h2><p>{long}</p>"
        f'<p style="text-align: justify; width: 60mm">{long} Progress of the reform plan.</p>'
        '<p lang="en">Progress, <a href="#t">see the table</a>.</p>'
        "<pre>一行目\n二行目\r\n三行目</pre>"
        '<p dir="rtl" lang="ar">مرحبا بالعالم</p>'
        f'<p style="width: 30mm; white-space: nowrap; overflow: hidden; '
        f'text-overflow: ellipsis">{long}</p>'
        f'<table id="t"><tr><th>取組</th><td style="width: 25mm">{long}</td>'
        '<td style="font-size: 8pt">達成</td></tr></table></body></html>'
    )
    typesetting.warm_up()
    kept, kept_setups = _written_counting_layouts_made_to_draw(html)
    hooks = {name: getattr(line_break.Layout, name) for name in _LAYOUT_HOOKS}
    for name, hook in hooks.items():
        setattr(line_break.Layout, name, hook.original)
    try:
        remade, remade_setups = _written_counting_layouts_made_to_draw(html)
    finally:
        for name, hook in hooks.items():
            setattr(line_break.Layout, name, hook)
    assert kept == remade
    assert kept_setups < remade_setups / 2, (
        f"drawing made {kept_setups} layouts again with the kept ones, {remade_setups} without: "
        "weasyprint.draw.text.draw_text no longer reactivates the layout laid out"
    )


def _written_counting_layouts_made_to_draw(html: str) -> tuple[bytes, int]:
    """The PDF of ``html`` and how many Pango layouts were set up while it was written."""
    from weasyprint.text import line_break

    document = typesetting.render(html)
    setup, made = line_break.Layout.setup, []

    def counting(self, style):
        made.append(style)
        return setup(self, style)

    line_break.Layout.setup = counting
    try:
        return typesetting.write(document), len(made)
    finally:
        line_break.Layout.setup = setup
