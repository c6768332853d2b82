"""The report's running header and footer (the @page margin boxes of progress_report.css) are
given their widths, so laying a page out never measures their text.

With ``width: auto`` on the header's two boxes WeasyPrint shares the line between them by their
content (css-page-3's margin-box dimensions): every page, it measured the title and the chapter's
name both ways (the narrowest and the widest each could be), breaking them into lines character
by character — 8 % of laying out a 1,000-item report. The Osaka report's own running heads are
each far shorter than their half, so they print as before.
"""

import shutil
import subprocess

import pytest
from weasyprint.layout import page as weasyprint_page

from evaluations.reports import pdf
from tests.constants import ISSUED

pytestmark = pytest.mark.django_db


@pytest.fixture
def measured(monkeypatch):
    """Each margin box whose content WeasyPrint measured to share its side of the page."""
    boxes = []
    for name in ("min_content_size", "max_content_size"):
        original = getattr(weasyprint_page.HorizontalBox, name)

        def measuring(self, original=original):
            boxes.append(self.box.at_keyword)
            return original.fget(self)

        monkeypatch.setattr(weasyprint_page.HorizontalBox, name, property(measuring))
    return boxes


def test_the_watcher_sees_weasyprint_measure_a_running_head_whose_width_is_auto(measured):
    """The watcher itself: a page whose header boxes leave their width to WeasyPrint."""
    from evaluations.reports import typesetting

    typesetting.import_weasyprint()
    from weasyprint import CSS, HTML

    css = CSS(string="@page { @top-left { content: 'a' } @top-right { content: 'b' } }")
    HTML(string="<p>x</p>").render(stylesheets=[css])
    assert {"@top-left", "@top-right"} <= set(measured)


def test_laying_out_the_report_never_measures_its_running_heads(osaka, measured):
    pdf.render_pdf(osaka, 2024, issued_on=ISSUED, processes=1)
    assert measured == []


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")
def test_each_page_after_the_cover_prints_its_title_chapter_and_page_number(osaka, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf.render_pdf(osaka, 2024, issued_on=ISSUED, processes=1))
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")[:-1]
    headers = [page.splitlines()[0].split() for page in pages[1:]]  # the cover has none
    # The title at the left, at the right the chapter the page is in, on one line.
    assert {header[0] for header in headers} == {"「新・市政改革プラン」の進捗状況"}
    assert ["1", "DXの推進"] in [header[1:] for header in headers]
    for number, page in enumerate(pages[1:], start=2):
        assert page.strip().endswith(f"{number} / {len(pages)}")
