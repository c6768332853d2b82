"""PDF report bench: the seed report (≤ 1.5 s) and a 1,000-initiative report (≤ 0.05 s per page,
≤ 400 MB peak). Prints time, pages and peak memory (process RSS and traced Python heap)."""

import re
import subprocess
import tempfile
import tracemalloc

from _setup import peak_rss_mb, synthetic_plan, timer
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


def main():
    for name in ("osaka.json", "kitakyushu.json"):
        seed.load_file(settings.BASE_DIR / "fixtures" / name)
    osaka = Plan.objects.get(slug="osaka-shin-shisei-kaikaku")
    results = {}
    with timer("seed report, first (fonts loaded cold)", results):
        data = pdf.render_pdf(osaka, 2024)
    runs = []
    for _ in range(3):
        with timer("run", results):
            data = pdf.render_pdf(osaka, 2024)
        runs.append(results.pop("run"))
    print(f"seed report (Osaka FY2024): {pages(data)} pages")
    print(f"  first run (cold): {results['seed report, first (fonts loaded cold)']:.2f} s")
    print(
        f"  warm runs: {', '.join(f'{t:.2f}' for t in runs)} s (best {min(runs):.2f} s; limit 1.5 s)"
    )

    plan, _ = synthetic_plan(1000, publish=True)
    with timer("big", results):
        data = pdf.render_pdf(plan, 2024)
    n = pages(data)
    print(
        f"1,000-initiative report: {n} pages in {results['big']:.2f} s = "
        f"{results['big'] / n:.3f} s/page (limit 0.05 s/page)"
    )
    tracemalloc.start()
    pdf.render_pdf(plan, 2024)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"  peak traced Python heap during one report: {traced_peak / 1024 / 1024:.0f} MB")
    print(
        f"  peak RSS of the whole process (Django, DB, all runs): {peak_rss_mb():.0f} MB "
        "(limit 400 MB)"
    )


if __name__ == "__main__":
    main()
