"""PDF report bench: the seed report (≤ 1.5 s) and a 1,000-initiative report (≤ 0.05 s per page,
≤ 400 MB peak). Prints wall time (the target), CPU time of this process (what the code costs,
whatever else the machine runs), pages, and peak memory (process RSS and traced Python heap).

The 1,000-initiative report is made tagged (PDF/UA-1, the default) and, for comparison, untagged
(``render_pdf(tagged=False)``). Peak RSS is read before tracemalloc starts: tracing every
allocation adds its own bookkeeping to the heap, so the RSS after the traced run is not what a
report costs, and it is printed separately."""

import os
import re
import subprocess
import tempfile
import time
import tracemalloc

from _setup import peak_rss_mb, synthetic_plan
from django.conf import settings

from evaluations.reports import pdf
from initiatives.models import Plan
from reformtracker import seed


def pages(data: bytes) -> int:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        info = subprocess.run(["pdfinfo", f.name], capture_output=True, check=True).stdout
    return int(re.search(rb"Pages:\s+(\d+)", info).group(1))


def timed(function, *args, **kwargs):
    """(result, wall seconds, CPU seconds of this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def main():
    print(f"load average (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for name in ("osaka.json", "kitakyushu.json"):
        seed.load_file(settings.BASE_DIR / "fixtures" / name)
    osaka = Plan.objects.get(slug="osaka-shin-shisei-kaikaku")
    _, warm_up, _ = timed(pdf.warm_up)
    data, cold, cold_cpu = timed(pdf.render_pdf, osaka, 2024)
    runs = [timed(pdf.render_pdf, osaka, 2024)[1:] for _ in range(3)]
    print(f"seed report (Osaka FY2024): {pages(data)} pages")
    print(
        f"  importing WeasyPrint and preparing the font (a web worker does it as it starts, "
        f"REPORT_WARM_UP): {warm_up:.2f} s"
    )
    print(f"  first report after that: {cold:.2f} s (CPU {cold_cpu:.2f} s)")
    walls = sorted(wall for wall, _ in runs)
    print(
        f"  warm runs: {', '.join(f'{w:.2f}' for w, _ in runs)} s wall "
        f"(CPU {', '.join(f'{c:.2f}' for _, c in runs)} s); "
        f"best {walls[0]:.2f} s, median {walls[1]:.2f} s (limit 1.5 s)"
    )

    plan, _ = synthetic_plan(1000, publish=True)
    for label, tagged in (("tagged PDF/UA-1", True), ("untagged", False)):
        data, wall, cpu = timed(pdf.render_pdf, plan, 2024, tagged=tagged)
        n = pages(data)
        print(
            f"1,000-initiative report, {label}: {n} pages in {wall:.2f} s = "
            f"{wall / n:.3f} s/page (limit 0.05 s/page); CPU {cpu:.2f} s = {cpu / n:.3f} s/page"
        )
    print(
        f"  peak RSS of the whole process (Django, DB, all reports above): {peak_rss_mb():.0f} MB "
        "(limit 400 MB)"
    )
    tracemalloc.start()
    pdf.render_pdf(plan, 2024)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"  peak traced Python heap during one tagged report: {traced_peak / 1024 / 1024:.0f} MB")
    print(
        f"  peak RSS after the traced run (tracemalloc's overhead included): {peak_rss_mb():.0f} MB"
    )
    print(f"load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
