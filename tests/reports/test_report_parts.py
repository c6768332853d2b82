"""A report made in parts, one process each, reads as the report made in one piece.

The reform office cannot tell them apart: the same text on the same pages, footers that count
the whole report, contents that link to the chapters, one outline and one structure tree for
screen readers. ``processes=`` forces either way, whatever the plan's size.
"""

import io
import logging
import os
import re
import shutil
import subprocess
import threading

import pikepdf
import pytest

from evaluations.models import PublishedResult
from evaluations.reports import parts, pdf
from tests.constants import ISSUED

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing"),
]


def page_texts(data: bytes, tmp_path, name: str) -> list[str]:
    path = tmp_path / name
    path.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")[:-1]


def outline(document: pikepdf.Pdf) -> list[tuple[int, str, int]]:
    """(depth, title, 0-based page) of every bookmark, in order."""
    pages = {page.obj.objgen: index for index, page in enumerate(document.pages)}
    found = []

    def walk(items, depth):
        for item in items:
            found.append((depth, item.title, pages[item.destination[0].objgen]))
            walk(item.children, depth + 1)

    with document.open_outline() as tree:
        walk(tree.root, 0)
    return found


def destinations(document: pikepdf.Pdf) -> dict[str, int]:
    pages = {page.obj.objgen: index for index, page in enumerate(document.pages)}
    names = document.Root.Names.Dests.Names
    return {str(names[i]): pages[names[i + 1][0].objgen] for i in range(0, len(names), 2)}


def structure(document: pikepdf.Pdf) -> list[str]:
    """Every structure element's type, depth first: what a screen reader walks. Checks on the
    way that each element names its parent."""
    found = []

    def walk(element, parent):
        if isinstance(element, pikepdf.Dictionary) and "/S" in element:
            assert element.P.objgen == parent.objgen
            found.append(str(element.S))
            kids = element.get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                walk(kid, element)

    root = document.Root.StructTreeRoot
    for top in root.K:
        walk(top, root)
    return found


@pytest.fixture
def osaka_in_one_piece(osaka):
    return pdf.render_pdf(osaka, 2024, issued_on=ISSUED, processes=1)


@pytest.fixture
def osaka_in_parts(osaka):
    report = pdf.make_report(osaka, 2024, issued_on=ISSUED, processes=3)
    assert len(report.part_pages) == 3  # really made in parts, not fallen back to one piece
    return report.data


def test_it_has_the_same_text_on_the_same_pages(osaka_in_one_piece, osaka_in_parts, tmp_path):
    whole = page_texts(osaka_in_one_piece, tmp_path, "whole.pdf")
    joined = page_texts(osaka_in_parts, tmp_path, "joined.pdf")
    assert len(joined) == len(whole) >= 8
    assert joined == whole


def test_its_footers_count_the_pages_of_the_whole_report(osaka_in_parts, tmp_path):
    texts = page_texts(osaka_in_parts, tmp_path, "joined.pdf")
    total = len(texts)
    for number, text in enumerate(texts[1:], start=2):  # the cover has no footer
        assert re.search(rf"\b{number} / {total}\s*$", text.strip()), (number, text[-80:])
        assert "「新・市政改革プラン」の進捗状況" in text.splitlines()[0]  # the running header


def test_its_contents_print_and_link_to_each_chapters_page(osaka_in_parts, tmp_path):
    texts = page_texts(osaka_in_parts, tmp_path, "joined.pdf")
    document = pikepdf.open(io.BytesIO(osaka_in_parts))
    targets = destinations(document)
    printed = dict(re.findall(r"([^\s.]+)\s*\.{3,}\s*(\d+)", texts[1]))
    assert printed["官民連携の推進"] == str(targets["pillar-2"] + 1)
    assert "2 官民連携の推進" in texts[targets["pillar-2"]]
    assert printed["評価結果"] == str(targets["results"] + 1)
    links = [
        str(annotation.Dest)
        for annotation in document.pages[1].get("/Annots", [])
        if annotation.get("/Subtype") == "/Link"
    ]
    assert "pillar-6" in links
    for name in links:
        assert targets[name] >= 2  # past the cover and contents, where the chapter is


def test_its_outline_is_the_one_piece_reports(osaka_in_one_piece, osaka_in_parts):
    whole = outline(pikepdf.open(io.BytesIO(osaka_in_one_piece)))
    joined = outline(pikepdf.open(io.BytesIO(osaka_in_parts)))
    assert joined == whole
    assert joined[0][0] == 0 and {depth for depth, _, _ in joined[1:]} <= {1, 2}


def test_it_is_one_structure_tree_with_a_consistent_parent_tree(
    osaka_in_one_piece, osaka_in_parts, tmp_path
):
    whole = pikepdf.open(io.BytesIO(osaka_in_one_piece))
    joined = pikepdf.open(io.BytesIO(osaka_in_parts))
    root = joined.Root.StructTreeRoot
    assert len(root.K) == 1 and root.K[0].S == "/Document"
    assert structure(joined) == structure(whole)

    nums = root.ParentTree.Nums
    keys = [int(nums[i]) for i in range(0, len(nums), 2)]
    assert keys == list(range(len(keys)))
    assert int(root.ParentTreeNextKey) == len(keys)
    for index, page in enumerate(joined.pages):
        assert int(page.obj.StructParents) == index
        marked = nums[2 * index + 1]
        for element in marked:
            assert element.Pg.objgen == page.obj.objgen  # marked content of this very page
    # Each link annotation's key leads to the structure element that holds it (an OBJR).
    links = [a for page in joined.pages for a in page.obj.get("/Annots", [])]
    assert len(keys) == len(joined.pages) + len(links) and len(links) >= 6  # the contents'
    for annotation in links:
        key = int(annotation.StructParent)
        assert key >= len(joined.pages)
        element = nums[2 * key + 1]
        held = [
            kid.Obj.objgen
            for kid in element.K
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR"
        ]
        assert element.S == "/Link" and annotation.objgen in held
    assert joined.check_pdf_syntax() == []  # qpdf's own check of the joined file
    assert str(joined.Root.Lang) == "ja" and joined.Root.MarkInfo.Marked
    metadata = joined.open_metadata()
    assert metadata["pdfuaid:part"] == "1"
    assert metadata["dc:title"] == "大阪市「新・市政改革プラン」の進捗状況（令和6年度末時点）"
    assert (
        "Tagged:          yes"
        in subprocess.run(
            ["pdfinfo", "-"], input=osaka_in_parts, capture_output=True, check=True
        ).stdout.decode()
    )


def test_it_embeds_the_shipped_font_in_every_part(osaka_in_parts, tmp_path):
    path = tmp_path / "joined.pdf"
    path.write_bytes(osaka_in_parts)
    rows = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert len(rows) >= 4  # the front and each of the three parts embed their own subset
    for row in rows:
        assert "Reform-Gothic" in row
        assert row.split()[-5:-2] == ["yes", "yes", "yes"]


def test_kitakyushu_with_meetings_and_schedules_is_made_in_parts_too(kitakyushu, tmp_path):
    whole = pdf.render_pdf(kitakyushu, 2025, issued_on=ISSUED, processes=1)
    report = pdf.make_report(kitakyushu, 2025, issued_on=ISSUED, processes=2)
    assert len(report.part_pages) == 2
    assert page_texts(report.data, tmp_path, "k2.pdf") == page_texts(whole, tmp_path, "k1.pdf")


def test_an_untagged_draft_can_be_made_in_parts(osaka, tmp_path):
    whole = pdf.render_pdf(osaka, 2024, issued_on=ISSUED, tagged=False, processes=1)
    joined = pdf.render_pdf(osaka, 2024, issued_on=ISSUED, tagged=False, processes=2)
    assert "/StructTreeRoot" not in pikepdf.open(io.BytesIO(joined)).Root
    assert page_texts(joined, tmp_path, "d2.pdf") == page_texts(whole, tmp_path, "d1.pdf")


def test_a_large_plan_is_made_in_parts_and_a_small_one_in_one_piece(osaka, settings):
    settings.REPORT_PROCESSES = 2
    settings.REPORT_PARALLEL_THRESHOLD = 25
    assert pdf.make_report(osaka, 2024).part_pages == []  # 24 items
    settings.REPORT_PARALLEL_THRESHOLD = 24
    assert len(pdf.make_report(osaka, 2024).part_pages) == 2
    settings.REPORT_PROCESSES = 1
    assert pdf.make_report(osaka, 2024).part_pages == []


def test_the_background_jobs_progress_hears_each_step(osaka):
    steps = []
    pdf.make_report(osaka, 2024, processes=2, progress=lambda *step: steps.append(step))
    assert [percent for percent, _ in steps] == [5, 20, 60, 90, 100]
    assert steps[1][1] == "ページを2つのプロセスで組版しています"
    assert re.fullmatch(r"PDFを書き出しています（\d+ページ）", steps[2][1])


def test_what_a_part_logs_reaches_the_parents_log(osaka, caplog):
    """A glyph the font lacks is logged by WeasyPrint in the process that draws it; for a
    table row that is a part's process, and the log (and the tests that look for .notdef
    warnings) must still hear of it."""
    row = PublishedResult.objects.filter(publication__round__plan=osaka).order_by("pk").first()
    row.title = "取組項目\ue000"  # a private-use character: in no font
    row.save(update_fields=["title"])

    def notdef_warnings(processes):
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="weasyprint"):
            report = pdf.make_report(osaka, 2024, issued_on=ISSUED, processes=processes)
        assert len(report.part_pages) == (processes if processes > 1 else 0)
        return [r.getMessage() for r in caplog.records if ".notdef" in r.getMessage()]

    in_one_piece = notdef_warnings(1)
    assert in_one_piece and "U+E000" in in_one_piece[0]
    assert notdef_warnings(2) == in_one_piece


def test_a_part_whose_process_dies_is_reported_and_the_report_made_in_one_piece(
    osaka, monkeypatch, caplog
):
    context = parts.process_context()
    process = context.Process(target=os._exit, args=(3,), daemon=True)
    ours, theirs = context.Pipe()
    process.start()
    theirs.close()
    part = parts.Part(process, ours)
    with pytest.raises(parts.PartsError, match="exit code 3"):
        part.receive("pages")
    part.stop()

    def failing(*args, **kwargs):
        raise parts.PartsError("the report process ended (exit code -9)")

    monkeypatch.setattr(parts, "render", failing)
    report = pdf.make_report(osaka, 2024, issued_on=ISSUED, processes=2)
    assert report.part_pages == [] and report.data.startswith(b"%PDF")
    assert "making it in one piece" in caplog.text


def test_a_process_with_threads_makes_its_parts_from_a_forkserver(
    osaka, osaka_in_one_piece, monkeypatch, tmp_path
):
    """A threaded web worker must not fork (another thread may hold a lock the child would
    wait for); its parts come from a forkserver, and read the same."""
    monkeypatch.setattr(parts, "thread_count", lambda: 4)
    assert parts.process_context().get_start_method() == "forkserver"
    report = pdf.make_report(osaka, 2024, issued_on=ISSUED, processes=3)
    assert len(report.part_pages) == 3
    assert page_texts(report.data, tmp_path, "fs.pdf") == page_texts(
        osaka_in_one_piece, tmp_path, "whole.pdf"
    )


def test_a_single_threaded_process_forks_its_parts(monkeypatch):
    monkeypatch.setattr(parts, "thread_count", lambda: 1)
    assert parts.process_context().get_start_method() == "fork"


def test_threads_are_counted_as_the_kernel_counts_them():
    before = parts.thread_count()
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert parts.thread_count() == before + 1
    finally:
        stop.set()
        thread.join()
    assert parts.thread_count() == before


def _gone_after_counting(connection, html, tagged):
    connection.send(("pages", 1, {}))
    os._exit(1)


def test_a_part_that_ends_halfway_is_reported_and_the_report_made_in_one_piece(
    osaka, monkeypatch, caplog
):
    from evaluations.reports import part_worker

    monkeypatch.setattr(parts, "thread_count", lambda: 1)  # forked: the child runs the patched one
    monkeypatch.setattr(part_worker, "render_part", _gone_after_counting)
    report = pdf.make_report(osaka, 2024, issued_on=ISSUED, processes=2)
    assert report.part_pages == [] and report.data.startswith(b"%PDF")
    assert "making it in one piece" in caplog.text
    assert re.search(r"exit code 1|lost a report process", caplog.text)


def test_chapters_are_cut_into_runs_of_about_equal_work(osaka):
    context = pdf.build_context(osaka, 2024)
    chapters = ["results", *context["sections"]]
    for count in (1, 2, 3, 4, 7, 20):
        groups = pdf.chapter_groups(context, count)
        assert [chapter for group in groups for chapter in group] == chapters  # in order, once
        assert len(groups) == min(count, len(chapters))
    weights = [10 + len(context["excluded"]) // 3] + [
        10 + len(s.results) for s in context["sections"]
    ]
    two = pdf.chapter_groups(context, 2)
    heaviest = max(sum(weights[: len(two[0])]), sum(weights[len(two[0]) :]))
    assert heaviest == min(max(sum(weights[:i]), sum(weights[i:])) for i in range(1, 7))
