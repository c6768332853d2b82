"""照会票 import bench: a 10,000-row workbook with every result changed, end to end (container
checks, parsing, validation, database writes with history): limit ≥ 5,000 rows/s, ≤ 200 MB."""

import io
import os
import time
import tracemalloc

from _setup import peak_rss_mb, synthetic_plan, timer

from evaluations import workbooks
from evaluations.models import Entry, HistoryEvent

FLIP = {"達成": "未達成", "未達成": "達成"}


def filled_workbook(round_) -> bytes:
    """The round's 照会票 with every 達成/未達成 flipped, as a department would send it back."""
    # openpyxl only after the settings (imported by _setup), which keep it off lxml as in the app.
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(workbooks.export_round(round_)))
    for ws in book.worksheets[1:]:
        for (cell,) in ws.iter_rows(min_row=2, min_col=7, max_col=7):
            if cell.value in FLIP:
                cell.value = FLIP[cell.value]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main():
    print(f"load average (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    _, round_ = synthetic_plan(10_000, publish=False)
    data = filled_workbook(round_)
    rss_before = peak_rss_mb()
    history_before = HistoryEvent.objects.count()
    results = {}
    cpu = time.process_time()
    with timer("import", results):
        preview = workbooks.import_workbook(data, filename="bench.xlsx")
    cpu = time.process_time() - cpu
    rows, changed = preview.rows, len(preview.changes)
    assert HistoryEvent.objects.count() == history_before + changed
    seconds = results["import"]
    print(
        f"import of {rows:,} rows ({changed:,} changed, each with a history row): "
        f"{seconds:.2f} s = {rows / seconds:,.0f} rows/s (limit ≥ 5,000 rows/s); "
        f"CPU {cpu:.2f} s = {rows / cpu:,.0f} rows/s"
    )
    print(
        f"  peak RSS of the process: {rss_before:.0f} MB before the import "
        f"(set-up and building the test workbook), {peak_rss_mb():.0f} MB after it"
    )

    data = filled_workbook(round_)  # new versions after the first import
    tracemalloc.start()
    workbooks.import_workbook(data, filename="bench.xlsx")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"  peak traced Python heap during one import: {peak / 1024 / 1024:.0f} MB (limit 200 MB)"
    )
    print(
        f"  peak RSS of the whole process (incl. building the test workbooks): "
        f"{peak_rss_mb():.0f} MB"
    )
    print(f"  entries now at version {Entry.objects.filter(round=round_).first().version}")


if __name__ == "__main__":
    main()
