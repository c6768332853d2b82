"""Hostile 照会票 bench: the worst files we can build, each refused by the import's checks;
prints the time to refusal and the peak memory of each: limit < 0.5 s and < 100 MB. For
comparison, the largest file within every bound, which is read (accepted: no limit here).

Each file is refused in a fresh process (``--refuse FILE``), which reports the time of
``workbooks.parse`` (the whole file side of the import: container checks, the sheets' bounds
scan, and the reading it never gets to), the peak traced Python heap during it and how far the
process's peak RSS rose. The files are built by the parent, in a temporary directory.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT_SECONDS = 0.5
LIMIT_MB = 100
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
WORDS = ["achieved", "not achieved", "excluded", "on schedule", "under review", "2-1", "R7"]


def peak_rss_mb() -> float:
    """This process's peak RSS. VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so a
    child would start at its parent's peak (the parent builds ~100 MB files)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def refuse(path: str) -> None:
    """Child: parse one file, report JSON on stdout."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_ENV", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reformtracker.settings")
    import django

    django.setup()
    from evaluations import workbooks

    data = Path(path).read_bytes()
    with contextlib.suppress(workbooks.ImportRejected):
        workbooks.parse(b"")  # settles lazy imports and translations before measuring
    rss_before = peak_rss_mb()
    started = time.perf_counter()
    try:
        workbooks.parse(data, filename=Path(path).name)
        message = "ACCEPTED"
    except workbooks.ImportRejected as exc:
        message = str(exc.problems[0])
    seconds = time.perf_counter() - started
    # Again under tracemalloc, which slows every allocation: its peak, not its time.
    tracemalloc.start()
    with contextlib.suppress(workbooks.ImportRejected):
        workbooks.parse(data, filename=Path(path).name)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = peak_rss_mb()
    print(
        json.dumps(
            {
                "seconds": seconds,
                "heap_mb": peak / 1024 / 1024,
                "rss_rise_mb": rss_after - rss_before,
                "message": message,
            },
            ensure_ascii=False,
        )
    )


# --- the files --------------------------------------------------------------------------------


def base() -> bytes:
    sys.path.insert(0, str(ROOT))
    from tests.workbooks.bad_workbooks import sheet_book

    return sheet_book()


def with_sheet_data(good: bytes, rows: str, *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    """The base workbook with the pillar sheet's data replaced by ``rows``."""
    name = "xl/worksheets/sheet2.xml"
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(good)) as zin,
        zipfile.ZipFile(out, "w", compression) as zout,
    ):
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == name:
                text = data.decode()
                head = text[: text.index("<sheetData>") + len("<sheetData>")]
                tail = text[text.index("</sheetData>") :]
                data = (head + rows + tail).encode()
            zout.writestr(info.filename, data)
    return out.getvalue()


def with_member(good: bytes, name: str, data: str) -> bytes:
    out = io.BytesIO(good)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr(name, data)
    return out.getvalue()


def header_row() -> str:
    return (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>回答ID</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>版</t></is></c></row>'
    )


def build(good: bytes) -> dict[str, tuple[str, bytes]]:
    rng = random.Random(3)
    files = {}
    files["huge_row_number"] = (
        'one extra <row r="100000000">',
        with_sheet_data(good, header_row() + '<row r="100000000"><c r="A100000000"/></row>'),
    )
    files["million_blank_rows"] = (
        "1,000,000 empty <row/>",
        with_sheet_data(good, "".join(f'<row r="{n}"/>' for n in range(1, 1_000_001))),
    )
    # ~95 MB of sheet XML compressing about 13:1, under the zip-ratio limit.
    rows = []
    size = 0
    n = 0
    while size < 95 * 1024 * 1024:
        n += 1
        row = f'<row r="{n}">' + "".join(
            f'<c r="{c}{n}" t="inlineStr"><is><t>{rng.choice(WORDS)}</t></is></c>'
            for c in "ABCDEFGHI"
        )
        row += "</row>"
        rows.append(row)
        size += len(row.encode())
    files["big_low_ratio_sheet"] = ("95 MB sheet, ratio ~13", with_sheet_data(good, "".join(rows)))
    del rows
    from openpyxl.utils import get_column_letter

    files["many_columns"] = (
        "one row of 16,384 cells (A…XFD)",
        with_sheet_data(
            good,
            '<row r="1">'
            + "".join(f'<c r="{get_column_letter(c)}1"><v>1</v></c>' for c in range(1, 16385))
            + "</row>",
        ),
    )
    files["cells_over_the_limit"] = (
        "20,000 rows × 21 columns = 420,000 cells",  # refused at the 200,001st
        with_sheet_data(
            good,
            "".join(
                f'<row r="{r}">'
                + "".join(f'<c r="{get_column_letter(c)}{r}"><v>{c}</v></c>' for c in range(1, 22))
                + "</row>"
                for r in range(1, 20_001)
            ),
        ),
    )
    strings = "".join(f"<si><t>{rng.randrange(10**6)}</t></si>" for _ in range(1_000_000))
    files["shared_strings_oversize"] = (
        "1,000,000 shared strings (23 MB)",
        with_member(good, "xl/sharedStrings.xml", f'<sst xmlns="{MAIN}">{strings}</sst>'),
    )
    strings = "".join(f"<si><t>{n % 1000}</t></si>" for n in range(900_000))
    files["shared_strings_many"] = (
        "900,000 shared strings (15 MB)",
        with_member(good, "xl/sharedStrings.xml", f'<sst xmlns="{MAIN}">{strings}</sst>'),
    )
    del strings
    nested = "".join(f'<x a="{rng.randrange(10**6)}">' for _ in range(1_500_000))
    files["deep_nesting_oversize"] = (
        "1,500,000 nested elements (26 MB)",
        with_sheet_data(good, header_row() + nested + "</x>" * 1_500_000),
    )
    nested = "".join(f'<x a="{n % 1000}">' for n in range(1_000_000))
    files["deep_nesting"] = (
        "1,000,000 nested elements (15 MB)",
        with_sheet_data(good, header_row() + nested + "</x>" * 1_000_000),
    )
    del nested
    files["largest_accepted"] = (
        "20,000 rows × 9 columns, within every bound",
        with_sheet_data(
            good,
            "".join(
                f'<row r="{r}">'
                + "".join(
                    f'<c r="{c}{r}" t="inlineStr"><is><t>{rng.choice(WORDS)}</t></is></c>'
                    for c in "ABCDEFGHI"
                )
                + "</row>"
                for r in range(1, 20_001)
            ),
        ),
    )
    from tests.workbooks.bad_workbooks import BILLION_LAUGHS, rezip

    files["billion_laughs"] = (
        "entity expansion in workbook.xml",
        rezip(good, replace={"xl/workbook.xml": BILLION_LAUGHS}),
    )
    return files


def main():
    print(f"load average (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    os.environ.setdefault("DJANGO_ENV", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reformtracker.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()  # openpyxl after the settings, off lxml as in the app
    files = build(base())
    worst_seconds = worst_mb = 0.0
    with tempfile.TemporaryDirectory(prefix="rt-hostile-") as tmp:
        for name, (what, data) in files.items():
            path = Path(tmp) / f"{name}.xlsx"
            path.write_bytes(data)
            child = subprocess.run(
                [sys.executable, __file__, "--refuse", str(path)],
                capture_output=True,
                text=True,
                check=True,
            )
            report = json.loads(child.stdout.strip().splitlines()[-1])
            memory = max(report["heap_mb"], report["rss_rise_mb"])
            if report["message"] != "ACCEPTED":
                worst_seconds = max(worst_seconds, report["seconds"])
                worst_mb = max(worst_mb, memory)
            print(
                f"{name:22} {what:42} {len(data) / 1024 / 1024:6.1f} MB file: "
                f"{'read' if report['message'] == 'ACCEPTED' else 'refused'} in "
                f"{report['seconds'] * 1000:6.1f} ms, "
                f"heap {report['heap_mb']:5.1f} MB, RSS +{report['rss_rise_mb']:5.1f} MB"
            )
            print(f"{'':22} → {report['message']}")
    verdict = "OK" if worst_seconds < LIMIT_SECONDS and worst_mb < LIMIT_MB else "OVER THE LIMIT"
    print(
        f"worst refusal: {worst_seconds * 1000:.0f} ms, {worst_mb:.0f} MB "
        f"(limit {LIMIT_SECONDS * 1000:.0f} ms, {LIMIT_MB} MB): {verdict}"
    )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--refuse":
        refuse(sys.argv[2])
    else:
        main()
