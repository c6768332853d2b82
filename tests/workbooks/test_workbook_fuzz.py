"""Whatever bytes a sheet holds, the import answers with ImportRejected or a preview — never
another exception (a 500 on the web, a traceback at the terminal). Mutations of a valid 照会票's
pillar sheet, drawn from the things the probe and real files put there, with fixed seeds."""

import contextlib
import io
import random
import zipfile

import pytest

from evaluations import workbooks
from tests.workbooks.bad_workbooks import SHEET_PART, rezip, sheet_book

TOKENS = [
    "<",
    ">",
    '"',
    "/>",
    "</c>",
    "</row>",
    '<row r="100000000">',
    '<row r="-1">',
    '<row r="x">',
    '<c r="ZZZZ2">',
    '<c r="A0">',
    '<c r="AY2">',
    '<c r="B1">',
    't="d"',
    't="zz"',
    't="s"',
    't="b"',
    't="e"',
    's="999"',
    's="-1"',
    "<v>NaN</v>",
    "<v>1E+308</v>",
    "<v>-0</v>",
    "<v>inf</v>",
    "<v>2</v>",
    "<v></v>",
    "<f>B2</f>",
    "&#0;",
    "&#x1F600;",
    "_x000D_",
    "<is><t>",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "",
]


def mutations(seed: int, text: str) -> str:
    rng = random.Random(seed)
    start = text.index("<sheetData>") if "<sheetData>" in text else 0
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(start, len(text))
        cut = rng.randint(0, 12)
        text = text[:at] + rng.choice(TOKENS) + text[at + cut :]
    return text


def mutated(seed: int, good: bytes, part: str = SHEET_PART) -> bytes:
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        text = archive.read(part).decode()
    return rezip(good, replace={part: mutations(seed, text).encode()})


@pytest.fixture(scope="module")
def good() -> bytes:
    return sheet_book()


@pytest.mark.parametrize("block", range(6))
def test_a_mutated_sheet_is_parsed_or_refused_never_crashes(block, good):
    for seed in range(block * 100, block * 100 + 100):
        data = mutated(seed, good)
        try:
            workbooks.parse(data)
        except workbooks.ImportRejected as exc:
            assert exc.problems and all(p.message for p in exc.problems), seed


@pytest.mark.django_db
def test_a_mutated_sheet_is_previewed_or_refused_never_crashes(osaka, good):
    for seed in range(1000, 1060):
        with contextlib.suppress(workbooks.ImportRejected):
            workbooks.read_workbook(mutated(seed, good))


PARTS = [
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "xl/styles.xml",
    "[Content_Types].xml",
    "xl/worksheets/sheet1.xml",
]


@pytest.mark.parametrize("part", PARTS)
def test_a_mutated_package_part_is_parsed_or_refused_never_crashes(part, good):
    for seed in range(150):
        try:
            workbooks.parse(mutated(seed, good, part))
        except workbooks.ImportRejected as exc:
            assert exc.problems and all(p.message for p in exc.problems), seed
