"""The import's own xlsx reader reads what openpyxl reads, and hands anything odd back to it."""

import io
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from evaluations import workbooks
from evaluations.workbooks import bounds, reader

BAD_FILES = Path(__file__).resolve().parent / "bad_files"


def trimmed(rows) -> list[tuple]:
    """Rows without openpyxl's padding: trailing empty cells and trailing empty rows."""
    out = []
    for row in rows:
        row = list(row)
        while row and row[-1] is None:
            row.pop()
        out.append(tuple(row))
    while out and not out[-1]:
        out.pop()
    return out


def assert_reads_like_openpyxl(data: bytes):
    fast = reader.read(zipfile.ZipFile(io.BytesIO(data)))
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    assert fast.sheetnames == book.sheetnames
    for sheet in fast.worksheets:
        assert trimmed(sheet.iter_rows()) == trimmed(book[sheet.title].iter_rows(values_only=True))
        assert trimmed(sheet.iter_rows(max_row=5, max_col=2)) == trimmed(
            book[sheet.title].iter_rows(max_row=5, max_col=2, values_only=True)
        )


def readable_corpus() -> list:
    files = []
    for path in sorted(BAD_FILES.glob("*.xlsx")):
        data = path.read_bytes()
        try:
            archive = workbooks.check_container(data)
            bounds.check_sheets(archive)
            reader.read(archive)
        except (workbooks.ImportRejected, reader.Unsupported):
            continue  # refused before or by our reader: nothing to compare
        files.append(pytest.param(data, id=path.name))
    return files


@pytest.mark.parametrize("data", readable_corpus())
def test_it_reads_every_readable_corpus_file_as_openpyxl_does(data):
    assert_reads_like_openpyxl(data)


@pytest.mark.django_db
def test_it_reads_an_exported_and_an_openpyxl_edited_workbook_as_openpyxl_does(osaka):
    exported = workbooks.export_round(osaka.rounds.get(fiscal_year=2024))
    assert_reads_like_openpyxl(exported)  # inline strings, as our export writes them
    book = openpyxl.load_workbook(io.BytesIO(exported))
    ws = book.worksheets[1]
    ws["G2"] = "未達成"
    ws["K7"] = datetime(2026, 3, 31)  # a date cell, via the styles' number formats
    ws["K8"] = 1.5
    ws["K9"] = True
    ws.insert_rows(4)
    out = io.BytesIO()
    book.save(out)  # openpyxl's own writing: inline strings, a style table
    assert_reads_like_openpyxl(out.getvalue())


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def excel_style_book(sheet_data: str) -> bytes:
    """A minimal package as Excel writes it: shared strings (with a phonetic guide, as
    Japanese Excel adds to typed kanji), a date format, no cell references in places."""
    shared = (
        f'<sst xmlns="{MAIN}" count="2" uniqueCount="2">'
        "<si><t>回答ID</t></si>"
        '<si><r><t>達</t></r><r><t>成</t></r><rPh sb="0" eb="2"><t>タッセイ</t></rPh></si>'
        "</sst>"
    )
    styles = (
        f'<styleSheet xmlns="{MAIN}"><numFmts count="1">'
        '<numFmt numFmtId="176" formatCode="[$-ja-JP]ggge&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>'
        '</numFmts><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="176"/>'
        "</cellXfs></styleSheet>"
    )
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="xml" ContentType="application/xml"/>'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{TYPE}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{TYPE}.worksheet+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{TYPE}.sharedStrings+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{TYPE}.styles+xml"/></Types>',
        "_rels/.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        f'relationships"><Relationship Id="rId1" Type="{RELS}/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>'
        '<sheet name="概要" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/'
        'package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>'
        f'<Relationship Id="rId3" Type="{RELS}/styles" Target="/xl/styles.xml"/>'
        "</Relationships>",
        "xl/sharedStrings.xml": shared,
        "xl/styles.xml": styles,
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{MAIN}"><sheetData>{sheet_data}'
        "</sheetData></worksheet>",
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text.encode())
    return out.getvalue()


def test_it_reads_shared_strings_without_phonetic_guides_and_dates_as_dates():
    data = excel_style_book(
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c></row>'
        '<row r="3"><c><v>42</v></c><c s="1"><v>46112</v></c><c s="2"><v>46112.5</v></c>'
        '<c t="b"><v>1</v></c><c t="str"><v>計算結果</v></c><c><v>1.25E2</v></c></row>'
    )
    fast = reader.read(zipfile.ZipFile(io.BytesIO(data)))
    assert list(fast["概要"].iter_rows()) == [
        ("回答ID", None, "達成"),
        (),
        (42, datetime(2026, 3, 31), datetime(2026, 3, 31, 12), True, "計算結果", 125.0),
    ]
    assert_reads_like_openpyxl(data)


def test_it_refuses_a_part_with_a_doctype_by_itself():
    archive = zipfile.ZipFile(io.BytesIO((BAD_FILES / "billion_laughs.xlsx").read_bytes()))
    with pytest.raises(reader.Unsupported, match="markup declaration"):
        reader.read(archive)


def test_it_hands_strict_ooxml_back_to_openpyxl():
    data = io.BytesIO()
    openpyxl.Workbook().save(data)
    source = zipfile.ZipFile(io.BytesIO(data.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/workbook.xml":
                content = content.replace(
                    b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                    b"http://purl.oclc.org/ooxml/spreadsheetml/main",
                )
            target.writestr(info, content)
    with pytest.raises(reader.Unsupported):
        reader.read(zipfile.ZipFile(io.BytesIO(out.getvalue())))
