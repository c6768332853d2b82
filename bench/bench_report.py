"""PDF report bench: the seed report (≤ 1.5 s) and a 1,000-initiative report (≤ 0.05 s per page,
≤ 400 MB peak). Prints wall time (the target), CPU time (what the work costs, whatever else the
machine runs), pages, and peak memory.

A report of 1,000 items is made in parts, each in its own process (evaluations/reports/parts.py,
REPORT_PROCESSES: one more than the CPUs). Its CPU time is this process's plus every part's.
Its memory is measured as the terminal command makes it (`manage.py progress_report`, in a fresh
process, as a web worker would): the proportional set size (PSS) of the command's whole process
tree (Django and the parts' processes forked from it), sampled every 10 ms. PSS shares each page
among the processes mapping it, so what the parts share with the process they were forked from
counts once. The command is also run with a second thread, as in a threaded web worker, which
makes the parts from a forkserver rather than forking them.
For comparison the same report is also made in one piece, tagged and untagged.

When LibreOffice is installed (``soffice`` on PATH; Debian's ``libreoffice-calc-nogui``), the
peer an office would otherwise use is measured in the same run, on the same data: the plan's
exported 照会票 printed to PDF by ``soffice --headless --convert-to pdf``, each in a fresh
process, beside ``manage.py progress_report`` of the plan (with compiled bytecode, as installed,
and from source), wall and CPU time. Without it, that comparison is skipped with a message.
``--side-by-side`` runs only that comparison (``--runs N``: N rounds rather than 5).

The set-up is in main(): each part's process imports this script again (as any multiprocessing
start method but fork does), which must cost nothing.
"""

import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time


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


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            return int(re.search(r"^Pss:\s+(\d+) kB", f.read(), re.M).group(1))
    except (OSError, AttributeError):
        return 0  # the process ended meanwhile


def tree_pss_mb(root: int | None = None) -> float:
    """PSS of a process (this one by default) and all its descendants, in MB."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                pass
    tree, grew = {root or os.getpid()}, True
    while grew:
        found = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= found
        grew = bool(found)
    return sum(_pss_kb(pid) for pid in tree) / 1024


THREADED = """
import sys, threading
threading.Thread(target=threading.Event().wait, daemon=True).start()
from django.core.management import execute_from_command_line
execute_from_command_line(["manage.py", *sys.argv[1:]])
"""


def command_peak_mb(*args: str, threaded: bool = False) -> tuple[float, float]:
    """(peak PSS of the process tree, seconds) of ``manage.py *args``, sampled every 10 ms.
    ``threaded``: with a second thread running, as in a threaded web worker, which makes the
    parts from a forkserver rather than forking them."""
    start = time.perf_counter()
    command = ["-c", THREADED] if threaded else ["manage.py"]
    process = subprocess.Popen([sys.executable, *command, *args])
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, tree_pss_mb(process.pid))
        time.sleep(0.01)
    if process.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed")
    return peak, time.perf_counter() - start


class PeakMemory:
    """Samples tree_pss_mb() every 10 ms while in the with-block; .peak is the highest."""

    def __enter__(self):
        self.before = self.peak = tree_pss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, tree_pss_mb())

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def _fresh(command: list[str], env: dict | None = None) -> tuple[float, float]:
    """(wall seconds, CPU seconds: user + system of the process and its children) of one fresh
    run of ``command``."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu, start = usage.ru_utime + usage.ru_stime, time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=env)
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, usage.ru_utime + usage.ru_stime - cpu


def _figures(runs: list[tuple[float, float]]) -> str:
    walls = ", ".join(f"{wall:.1f}" for wall, _ in runs)
    return (
        f"{walls} s (median {statistics.median(w for w, _ in runs):.1f} s, "
        f"CPU {statistics.median(c for _, c in runs):.1f} s)"
    )


def side_by_side_with_libreoffice(plan, runs: int = 5) -> None:
    """The command-line report against LibreOffice printing the same plan's workbook, both in
    fresh processes, alternated, so both see the same machine.

    Ours runs twice per round: with compiled bytecode, as an installed virtualenv has it (pip
    compiles it; here a private cache, PYTHONPYCACHEPREFIX, filled by a first run, as
    LibreOffice's first run creates its profile), and from source (PYTHONDONTWRITEBYTECODE, every
    module of Django, WeasyPrint and the project compiled at each start), as a checkout whose
    bytecode is not written runs. The compiled figure is the one compared."""
    soffice = shutil.which("soffice")
    if soffice is None:
        print(
            "  LibreOffice side by side: skipped, soffice is not on PATH "
            "(Debian: apt-get install libreoffice-calc-nogui)"
        )
        return
    from evaluations import workbooks

    round_ = plan.rounds.get(fiscal_year=2024)
    with tempfile.TemporaryDirectory() as folder:
        book = os.path.join(folder, "shokaihyo.xlsx")
        with open(book, "wb") as f:
            f.write(workbooks.export_round(round_))
        office = [
            soffice,
            "--headless",
            f"-env:UserInstallation=file://{folder}/profile",
            "--convert-to",
            "pdf",
            "--outdir",
            folder,
            book,
        ]
        ours = [sys.executable, "manage.py", "progress_report", plan.slug, "--fiscal-year"]
        ours += ["2024", "--output", os.path.join(folder, "report.pdf")]
        compiled = {**os.environ, "PYTHONPYCACHEPREFIX": f"{folder}/pycache"}
        compiled.pop("PYTHONDONTWRITEBYTECODE", None)
        source = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        source["PYTHONPYCACHEPREFIX"] = f"{folder}/no-pycache"  # empty: nothing is read
        _fresh(office)  # LibreOffice's first start creates its profile
        _fresh(ours, compiled)  # fills the bytecode cache
        load = os.getloadavg()
        theirs_runs, ours_runs, source_runs = [], [], []
        for _ in range(runs):
            theirs_runs.append(_fresh(office))
            ours_runs.append(_fresh(ours, compiled))
            source_runs.append(_fresh(ours, source))
        with open(os.path.join(folder, "shokaihyo.pdf"), "rb") as f:
            theirs_pages = pages(f.read())
        with open(os.path.join(folder, "report.pdf"), "rb") as f:
            ours_pages = pages(f.read())
    theirs = statistics.median(w for w, _ in theirs_runs)
    ours_median = statistics.median(w for w, _ in ours_runs)
    print(
        f"  side by side, {runs} fresh processes each, alternated (load average "
        f"{', '.join(f'{x:.2f}' for x in load)} before, "
        f"{', '.join(f'{x:.2f}' for x in os.getloadavg())} after):"
    )
    print(
        f"    `soffice --headless --convert-to pdf` of the 照会票 ({theirs_pages} pages): "
        f"{_figures(theirs_runs)}"
    )
    print(
        f"    `manage.py progress_report` ({ours_pages} pages), compiled bytecode: "
        f"{_figures(ours_runs)}; {ours_median / theirs:.2f}× LibreOffice's median "
        f"({'faster' if ours_median < theirs else 'NOT faster'})"
    )
    print(f"    the same from source: {_figures(source_runs)}")


def main():
    from _setup import synthetic_plan
    from django.conf import settings

    from evaluations import seed
    from evaluations.reports import pdf
    from initiatives.models import Plan

    print(f"load average (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"CPUs: {len(os.sched_getaffinity(0))}; REPORT_PROCESSES={settings.REPORT_PROCESSES}")
    if "--side-by-side" in sys.argv:
        print("1,000-initiative report against LibreOffice:")
        runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 5
        side_by_side_with_libreoffice(synthetic_plan(1000, publish=True)[0], runs=runs)
        return
    for name in ("osaka.json", "kitakyushu.json"):
        seed.load_file(settings.BASE_DIR / "fixtures" / name)
    osaka = Plan.objects.get(slug="osaka-shin-shisei-kaikaku")
    _, warm_up, _ = timed(pdf.warm_up)
    data, cold, cold_cpu = timed(pdf.render_pdf, osaka, 2024)
    runs = [timed(pdf.render_pdf, osaka, 2024)[1:] for _ in range(3)]
    print(
        f"seed report (Osaka FY2024, {osaka.initiatives.count()} items, one piece): {pages(data)} pages"
    )
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
    print("1,000-initiative report, tagged PDF/UA-1, made in parts (the default):")
    per_page = []
    for run in range(1, 4):
        report, wall, cpu = timed(pdf.make_report, plan, 2024)
        n = pages(report.data)
        per_page.append(wall / n)
        print(
            f"  run {run}: {n} pages in {wall:.2f} s = {wall / n:.3f} s/page (limit 0.05); "
            f"parts of {'+'.join(map(str, report.part_pages))} pages after the front; "
            f"CPU {cpu:.2f} s here + {' + '.join(f'{c:.2f}' for c in report.part_cpu_seconds)} s "
            f"in the parts = {cpu + sum(report.part_cpu_seconds):.2f} s"
        )
    per_page.sort()
    print(f"  median {per_page[1]:.3f} s/page, worst {per_page[2]:.3f} s/page")
    # Three of the six pillars above have no items and take a page each; the same 1,000 items
    # over all six leave no such page.
    dense, _ = synthetic_plan(1000, publish=True, slug="bench-dense", tracked=6)
    runs = []
    for _ in range(3):
        report, wall, _ = timed(pdf.make_report, dense, 2024)
        runs.append((wall, pages(report.data), report.part_pages))
    walls = sorted(wall / n for wall, n, _ in runs)
    print(
        f"  the same 1,000 items over all six pillars: {runs[0][1]} pages in "
        f"{', '.join(f'{wall:.2f}' for wall, _, _ in runs)} s (parts of "
        f"{'+'.join(map(str, runs[0][2]))} pages); median {walls[1]:.3f} s/page, "
        f"worst {walls[2]:.3f} s/page"
    )
    with tempfile.TemporaryDirectory() as folder:
        command = ("progress_report", plan.slug, "--fiscal-year", "2024", "--output", f"{folder}/r")
        peak, seconds = command_peak_mb(*command)
        threaded_peak, _ = command_peak_mb(*command, threaded=True)
    print(
        f"  peak memory of `manage.py progress_report` making it (PSS of the command and its "
        f"parts' processes, sampled every 10 ms): {peak:.0f} MB (limit 400 MB); "
        f"the command took {seconds:.1f} s, Django and WeasyPrint's start included"
    )
    print(
        f"  the same with a second thread running, as in a threaded web worker (its parts come "
        f"from a forkserver, which counts too): {threaded_peak:.0f} MB"
    )
    side_by_side_with_libreoffice(plan)
    print("The same report in one piece, for comparison:")
    for label, tagged in (("tagged PDF/UA-1", True), ("untagged", False)):
        data, wall, cpu = timed(pdf.render_pdf, plan, 2024, tagged=tagged, processes=1)
        n = pages(data)
        print(
            f"  {label}: {n} pages in {wall:.2f} s = {wall / n:.3f} s/page; "
            f"CPU {cpu:.2f} s = {cpu / n:.3f} s/page"
        )
    with PeakMemory() as memory:
        pdf.render_pdf(plan, 2024, processes=1)
    print(
        f"  peak memory (PSS of this bench process, which also holds what creating the plan "
        f"left): {memory.before:.0f} MB before, {memory.peak:.0f} MB at the peak"
    )
    print(f"load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
