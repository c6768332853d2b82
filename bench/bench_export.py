"""照会票 export bench: 10,000 rows (limit 2 s). Prints time, size and peak memory."""

import os
import time
import tracemalloc

from _setup import peak_rss_mb, synthetic_plan, timer

from evaluations import workbooks


def main():
    print(f"load average (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    _, round_ = synthetic_plan(10_000, publish=False)
    results = {}
    workbooks.export_round(round_)  # warm-up: imports, query plans
    cpu = time.process_time()
    with timer("export", results):
        data = workbooks.export_round(round_)
    cpu = time.process_time() - cpu
    print(
        f"export of 10,000 rows: {results['export']:.2f} s, {len(data) / 1024 / 1024:.1f} MB "
        f"(limit 2 s); CPU {cpu:.2f} s"
    )
    tracemalloc.start()
    workbooks.export_round(round_)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"  peak traced Python heap during one export: {peak / 1024 / 1024:.0f} MB")
    print(f"  peak RSS of the whole process: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
