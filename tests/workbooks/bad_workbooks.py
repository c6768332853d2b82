"""Writes the corpus of bad 照会票 files in bad_files/ (committed; rerun after changing it).

    .venv/bin/python tests/workbooks/bad_workbooks.py

Each file is wrong in one way and EXPECTED maps its name to the message (a fragment) the import
must give for it. Every file names the seed's Osaka plan and its 令和6年度末 round, so checks past
the summary sheet reach the rows; row IDs are ones no database holds, and each row's own values
are checked before the database is asked, so the files do not depend on ids.

Needs only openpyxl and the standard library (no Django).
"""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
OUT = HERE / "bad_files"
PLAN = "osaka-shin-shisei-kaikaku"
AS_OF = "令和7年3月31日"
HEADERS = [
    "回答ID",
    "版",
    "取組番号",
    "取組項目",
    "所管",
    "目標",
    "評価結果",
    "評価対象外の理由・備考",
    "進捗状況",
]
NO_SUCH_ID = 987654321
SHEET = "2 官民連携の推進"
SHEET_PART = "xl/worksheets/sheet2.xml"

EXPECTED = {
    "empty.xlsx": "ファイルが空です",
    "plain_text.xlsx": "テキストのファイルです",
    "csv_sjis.xlsx": "CSV・タブ区切りテキストのファイルです",
    "pdf_renamed.xlsx": "PDFのファイルです",
    "html_table.xlsx": "HTML・XML 形式",
    "binary_noise.xlsx": "Excel ブック（.xlsx）ではありません",
    "old_xls.xlsx": "Excel 97-2003 形式（.xls）",
    "truncated.xlsx": "ZIP 形式として読めません",
    "corrupt_crc.xlsx": "を展開できません",
    "plain_zip.xlsx": "構成ではありません（[Content_Types].xml がありません）",
    "docx_renamed.xlsx": "構成ではありません（xl/workbook.xml がありません）",
    "zip_bomb_ratio.xlsx": "zip 爆弾の疑い",
    "zip_bomb_declared_size.xlsx": "展開後のサイズが大きすぎる要素があります",
    "too_many_members.xlsx": "ファイル内の要素が多すぎます",
    "encrypted_member.xlsx": "暗号化されたファイルは読み込めません",
    "billion_laughs.xlsx": "DOCTYPE・実体宣言が含まれています（xl/workbook.xml）",
    "external_entity.xlsx": "DOCTYPE・実体宣言が含まれています（xl/worksheets/sheet2.xml）",
    "macro_enabled.xlsx": "マクロを含むブック",
    "no_summary_sheet.xlsx": "「概要」シートがありません",
    "wrong_format.xlsx": "照会票の様式ではありません",
    "unknown_plan.xlsx": "計画ID「no-such-plan」の計画はありません",
    "other_plan.xlsx": "計画「市政変革」に時点 令和7年3月31日 の照会はありません",
    "other_round.xlsx": "計画「新・市政改革プラン」に時点 令和9年3月31日 の照会はありません",
    "unreadable_as_of.xlsx": "「きのう」を日付として読めません",
    "impossible_as_of.xlsx": "は存在しない日付です",
    "era_mismatch_as_of.xlsx": "令和の期間外の日付です",
    "bad_filled_on.xlsx": "「先週の金曜」を日付として読めません",
    "no_header_row.xlsx": "見出し行（回答ID・版・評価結果…）が見つかりません",
    "missing_version_column.xlsx": "見出し「版」の列がありません",
    "no_rows.xlsx": "取り込む行がありません",
    "entry_id_not_number.xlsx": "回答ID「ABC-1」が数値ではありません",
    "version_not_number.xlsx": "版「最新」が数値ではありません",
    "unknown_result.xlsx": "評価結果「済」は選べません",
    "excluded_without_reason.xlsx": "「評価対象外」には理由を入力してください",
    "narrative_too_long.xlsx": "4000文字以内で入力してください（現在4001文字）",
    "reason_too_long.xlsx": "2000文字以内で入力してください（現在2001文字）",
    "unknown_entry_id.xlsx": f"回答ID {NO_SUCH_ID} の回答はありません",
    "duplicate_entry_id.xlsx": f"回答ID {NO_SUCH_ID} が重複しています",
    # Bounds, checked by a scan before any sheet is parsed.
    "huge_row_number.xlsx": "行が多すぎます（100,000,000行目。20,000行までにしてください）",
    "blank_rows.xlsx": "行が多すぎます（20,001行目",
    "too_many_columns.xlsx": "列が多すぎます（セル AY2。AX列（50列目）まで",
    "oversize_sheet.xlsx": "ブック内の要素（xl/worksheets/sheet2.xml）が大きすぎます",
    # Malformed cells and packages: refused, naming the sheet and cell.
    "bad_cell_reference.xlsx": f"シート「{SHEET}」：セル番地「ZZZZ2」が正しくありません",
    "date_cell_not_a_date.xlsx": f"シート「{SHEET}」 2行目 I列：日付のセルの値「not-a-date」",
    "entry_id_nan.xlsx": f"シート「{SHEET}」 2行目 A列：数値のセルの値「NaN」を数値として読めません",
    "entry_id_huge.xlsx": "回答ID「1e+308」は正しい番号ではありません",
    "entry_id_negative.xlsx": "回答ID「-5」は正しい番号ではありません",
    "version_zero.xlsx": "版「0」は正しい番号ではありません",
    "entry_id_fraction.xlsx": "回答ID「1.5」が数値ではありません",
    "shared_string_out_of_range.xlsx": "I列：共有文字列の番号「99999」がブックにありません",
    "unknown_cell_type.xlsx": 'G列：セルの種類（t="zz"）を読めません',
    "sheet_outside_package.xlsx": f"シート「{SHEET}」：シートの中身がブックの中にありません",
    "duplicate_member.xlsx": "同じ名前の要素が2つあります（xl/worksheets/sheet2.xml）",
    "formula_with_cached_value.xlsx": "2行目 I列：数式のセルは取り込めません",
    "formula_without_value.xlsx": "2行目 H列：数式のセルは取り込めません",
    "broken_sheet_xml.xlsx": f"シート「{SHEET}」：シートの XML が壊れています（mismatched tag",
}


def sheet_book(
    *,
    meta: dict | None = None,
    rows: list[list] | None = None,
    headers: list[str] | None = None,
    summary: bool = True,
) -> bytes:
    """A 照会票 laid out as the export lays it out, with ``meta``/``rows`` overriding the base."""
    values = {
        "様式": "reformtracker-照会票-1",
        "計画ID": PLAN,
        "計画": "新・市政改革プラン",
        "照会ID": 1,
        "年度": "令和6年度",
        "時点": AS_OF,
        "記入日": "",
    }
    values.update(meta or {})
    wb = Workbook()
    ws = wb.active
    if summary:
        ws.title = "概要"
        ws.append(["新・市政改革プラン 照会票（令和6年度末時点）"])
        ws.append([])
        for key, value in values.items():
            ws.append([key, value])
        pillar = wb.create_sheet(SHEET)
    else:
        ws.title = "Sheet1"
        pillar = ws
    pillar.append(headers if headers is not None else HEADERS)
    for row in (
        rows
        if rows is not None
        else [[NO_SUCH_ID, 1, "2-1", "題", "局", "目標", "達成", "", "進捗"]]
    ):
        pillar.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def row(**overrides) -> list:
    base = {
        "entry_id": NO_SUCH_ID,
        "version": 1,
        "code": "2-1",
        "result": "達成",
        "reason": "",
        "narrative": "進捗",
    }
    base.update(overrides)
    return [
        base["entry_id"],
        base["version"],
        base["code"],
        "取組項目",
        "市政改革室",
        "目標",
        base["result"],
        base["reason"],
        base["narrative"],
    ]


def rezip(source: bytes, *, replace: dict | None = None, add: dict | None = None) -> bytes:
    """A copy of an xlsx with some members replaced or added."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(source)) as zin,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        for info in zin.infolist():
            data = (replace or {}).get(info.filename, zin.read(info.filename))
            zout.writestr(info.filename, data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return out.getvalue()


def plain_zip(members: dict, compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as zout:
        for name, data in members.items():
            zout.writestr(name, data)
    return out.getvalue()


def forge_declared_size(data: bytes, size: int) -> bytes:
    """Rewrites every central-directory entry's uncompressed size to ``size``."""
    buf = bytearray(data)
    offset = 0
    while True:
        offset = buf.find(b"PK\x01\x02", offset)
        if offset < 0:
            return bytes(buf)
        struct.pack_into("<I", buf, offset + 24, size)
        offset += 4


def set_encrypted_flag(data: bytes) -> bytes:
    buf = bytearray(data)
    for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        offset = 0
        while (offset := buf.find(signature, offset)) >= 0:
            flags = struct.unpack_from("<H", buf, offset + flag_at)[0]
            struct.pack_into("<H", buf, offset + flag_at, flags | 0x1)
            offset += 4
    return bytes(buf)


def corrupt_member(data: bytes, name: str) -> bytes:
    """Flips bytes inside one member's compressed data, keeping the zip structure intact."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        info = z.getinfo(name)
    buf = bytearray(data)
    header = info.header_offset
    name_len, extra_len = struct.unpack_from("<HH", buf, header + 26)
    start = header + 30 + name_len + extra_len
    for i in range(start + 2, start + min(info.compress_size - 2, 40)):
        buf[i] ^= 0x5A
    return bytes(buf)


def patched(source: bytes, old: str, new: str, part: str = SHEET_PART) -> bytes:
    """A copy of an xlsx with one text replaced in one part (the pillar sheet by default)."""
    with zipfile.ZipFile(io.BytesIO(source)) as z:
        text = z.read(part).decode()
    assert old in text, old
    return rezip(source, replace={part: text.replace(old, new).encode()})


def noise(size: int) -> str:
    """Text that does not compress (the same every run)."""
    import base64
    import random

    return base64.b64encode(random.Random(11).randbytes(size * 3 // 4)).decode()


def with_rows(source: bytes, extra: str) -> bytes:
    """A copy with ``extra`` row elements appended to the pillar sheet's data."""
    return patched(source, "</sheetData>", extra + "</sheetData>")


def with_duplicate(source: bytes, name: str, data: bytes) -> bytes:
    """A copy with a second member named ``name`` (zipfile warns, and writes it)."""
    import warnings

    out = io.BytesIO(source)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as z:
            z.writestr(name, data)
    return out.getvalue()


def forge_member_size(data: bytes, name: str, size: int) -> bytes:
    """Rewrites one member's uncompressed size in the central directory to ``size``."""
    buf = bytearray(data)
    encoded = name.encode()
    offset = 0
    while (offset := buf.find(b"PK\x01\x02", offset)) >= 0:
        name_len = struct.unpack_from("<H", buf, offset + 28)[0]
        if bytes(buf[offset + 46 : offset + 46 + name_len]) == encoded:
            struct.pack_into("<I", buf, offset + 24, size)
        offset += 4
    return bytes(buf)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="&lol9;" sheetId="1" r:id="rId1" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/></sheets></workbook>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>
"""


def build() -> dict[str, bytes]:
    good = sheet_book()
    files = {
        "empty.xlsx": b"",
        "plain_text.xlsx": "これは照会票ではありません。\n".encode(),
        "csv_sjis.xlsx": "回答ID,版,評価結果\n1,1,達成\n".encode("cp932"),
        "pdf_renamed.xlsx": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
        "html_table.xlsx": "<html><body><table><tr><td>回答ID</td></tr></table></body></html>".encode(),
        "binary_noise.xlsx": bytes(range(256)) * 4,
        "old_xls.xlsx": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504,
        "truncated.xlsx": good[: len(good) // 2],
        "corrupt_crc.xlsx": corrupt_member(good, "xl/worksheets/sheet2.xml"),
        "plain_zip.xlsx": plain_zip({"readme.txt": "照会票ではありません"}),
        "docx_renamed.xlsx": plain_zip(
            {"[Content_Types].xml": "<Types/>", "word/document.xml": "<document/>"}
        ),
        "zip_bomb_ratio.xlsx": rezip(
            good, add={"xl/media/padding.bin": b"\0" * (20 * 1024 * 1024)}
        ),
        "zip_bomb_declared_size.xlsx": forge_declared_size(good, 3 * 1024 * 1024 * 1024),
        "too_many_members.xlsx": rezip(
            good, add={f"xl/media/image{i}.bin": b"x" for i in range(600)}
        ),
        "encrypted_member.xlsx": set_encrypted_flag(good),
        "billion_laughs.xlsx": rezip(good, replace={"xl/workbook.xml": BILLION_LAUGHS}),
        "external_entity.xlsx": rezip(good, replace={"xl/worksheets/sheet2.xml": EXTERNAL_ENTITY}),
        "macro_enabled.xlsx": rezip(good, add={"xl/vbaProject.bin": b"\x00VBA" * 16}),
        "no_summary_sheet.xlsx": sheet_book(summary=False),
        "wrong_format.xlsx": sheet_book(meta={"様式": "他市の様式"}),
        "unknown_plan.xlsx": sheet_book(meta={"計画ID": "no-such-plan"}),
        "other_plan.xlsx": sheet_book(meta={"計画ID": "kitakyushu-shisei-henkaku"}),
        "other_round.xlsx": sheet_book(meta={"時点": "令和9年3月31日"}),
        "unreadable_as_of.xlsx": sheet_book(meta={"時点": "きのう"}),
        "impossible_as_of.xlsx": sheet_book(meta={"時点": "令和7年2月30日"}),
        "era_mismatch_as_of.xlsx": sheet_book(meta={"時点": "令和元年4月30日"}),
        "bad_filled_on.xlsx": sheet_book(meta={"記入日": "先週の金曜"}),
        "no_header_row.xlsx": sheet_book(headers=["番号", "名前", "結果"]),
        "missing_version_column.xlsx": sheet_book(
            headers=[h for h in HEADERS if h != "版"],
            rows=[[NO_SUCH_ID, "2-1", "題", "局", "目標", "達成", "", "進捗"]],
        ),
        "no_rows.xlsx": sheet_book(rows=[]),
        "entry_id_not_number.xlsx": sheet_book(rows=[row(entry_id="ABC-1")]),
        "version_not_number.xlsx": sheet_book(rows=[row(version="最新")]),
        "unknown_result.xlsx": sheet_book(rows=[row(result="済")]),
        "excluded_without_reason.xlsx": sheet_book(rows=[row(result="評価対象外", reason="")]),
        "narrative_too_long.xlsx": sheet_book(rows=[row(narrative="あ" * 4001)]),
        "reason_too_long.xlsx": sheet_book(rows=[row(reason="い" * 2001)]),
        "unknown_entry_id.xlsx": sheet_book(rows=[row()]),
        "duplicate_entry_id.xlsx": sheet_book(rows=[row(), row()]),
        "huge_row_number.xlsx": with_rows(good, '<row r="100000000"><c r="A100000000"/></row>'),
        "blank_rows.xlsx": with_rows(good, "".join(f'<row r="{n}"/>' for n in range(3, 20_003))),
        "too_many_columns.xlsx": patched(
            good, "</row></sheetData>", '<c r="AY2"><v>1</v></c></row></sheetData>'
        ),
        # Declared larger than IMPORT_MAX_SHEET_BYTES, with enough incompressible padding that
        # the zip-ratio check lets it through to the sheet-size check.
        "oversize_sheet.xlsx": forge_member_size(
            patched(good, "</worksheet>", f"<!--{noise(160_000)}--></worksheet>"),
            SHEET_PART,
            21 * 1024 * 1024,
        ),
        "bad_cell_reference.xlsx": patched(
            good, '<c r="I2" t="inlineStr">', '<c r="ZZZZ2" t="inlineStr">'
        ),
        "date_cell_not_a_date.xlsx": patched(
            good,
            '<c r="I2" t="inlineStr"><is><t>&#36914;&#25431;</t></is></c>',
            '<c r="I2" t="d"><v>not-a-date</v></c>',
        ),
        "entry_id_nan.xlsx": patched(good, f"<v>{NO_SUCH_ID}</v>", "<v>NaN</v>"),
        "entry_id_huge.xlsx": patched(good, f"<v>{NO_SUCH_ID}</v>", "<v>1E+308</v>"),
        "entry_id_negative.xlsx": sheet_book(rows=[row(entry_id=-5)]),
        "version_zero.xlsx": sheet_book(rows=[row(version=0)]),
        "entry_id_fraction.xlsx": sheet_book(rows=[row(entry_id=1.5)]),
        "shared_string_out_of_range.xlsx": patched(
            good,
            '<c r="I2" t="inlineStr"><is><t>&#36914;&#25431;</t></is></c>',
            '<c r="I2" t="s"><v>99999</v></c>',
        ),
        "unknown_cell_type.xlsx": patched(
            good,
            '<c r="G2" t="inlineStr"><is><t>&#36948;&#25104;</t></is></c>',
            '<c r="G2" t="zz"><v>1</v></c>',
        ),
        "sheet_outside_package.xlsx": patched(
            good,
            'Target="/xl/worksheets/sheet2.xml"',
            'Target="../outside/sheet2.xml"',
            "xl/_rels/workbook.xml.rels",
        ),
        "duplicate_member.xlsx": with_duplicate(
            good,
            SHEET_PART,
            zipfile.ZipFile(io.BytesIO(good))
            .read(SHEET_PART)
            .replace(b"&#36948;&#25104;", b"&#26410;&#36948;&#25104;"),
        ),
        "formula_with_cached_value.xlsx": patched(
            good,
            '<c r="I2" t="inlineStr"><is><t>&#36914;&#25431;</t></is></c>',
            '<c r="I2" t="str"><f>C2&amp;"の備考"</f><v>2-1の備考</v></c>',
        ),
        "formula_without_value.xlsx": patched(
            good, '<c r="H2" t="inlineStr"></c>', '<c r="H2"><f>B2</f></c>'
        ),
        "broken_sheet_xml.xlsx": patched(good, "</row></sheetData>", "</row><row></sheetData>"),
    }
    assert set(files) == set(EXPECTED), set(files) ^ set(EXPECTED)
    return files


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for old in OUT.glob("*.xlsx"):
        old.unlink()
    for name, data in build().items():
        (OUT / name).write_bytes(data)
    print(f"wrote {len(EXPECTED)} files to {OUT}")


if __name__ == "__main__":
    main()
