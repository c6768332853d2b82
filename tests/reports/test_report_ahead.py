"""`manage.py progress_report` starts its typesetting process before Django is set up
(evaluations/reports/ahead.py): the PDF is the one the command makes by itself, byte for byte,
in one piece and in parts; what WeasyPrint logs there reaches the command's log; the process ends
with the command, also when the command fails; and a typesetting process lost before the report
costs only the head start.

The commands run against their own seeded SQLite file, since another process cannot see the
in-memory test database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
ISSUED = ["--fiscal-year", "2024", "--issued-on", "2025-09-16"]
OSAKA = "osaka-shin-shisei-kaikaku"
IN_PARTS = {"REPORT_PARALLEL_THRESHOLD": "1", "REPORT_PROCESSES": "3"}


def _env(database: Path | None, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DJANGO_ENV="test", DJANGO_SETTINGS_MODULE="reformtracker.settings", **extra)
    if database is not None:
        env["SQLITE_PATH"] = str(database)
    return env


def _run(args: list[str], database: Path | None, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=_env(database, **extra),
        capture_output=True,
        text=True,
        timeout=180,
    )


def _report(database: Path, output: Path, **extra: str) -> bytes:
    done = _run(
        ["manage.py", "progress_report", OSAKA, *ISSUED, "--output", str(output)], database, **extra
    )
    assert done.returncode == 0, done.stderr
    return output.read_bytes()


def _processes_naming(marker: str) -> list[int]:
    """The processes whose command line names ``marker`` (a path only one test uses)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                pass  # ended meanwhile
    return found


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    database = tmp_path_factory.mktemp("ahead-seed") / "db.sqlite3"
    for command in (["migrate", "--no-input", "-v0"], ["load_seed", "-v0"]):
        done = _run(["manage.py", *command], database)
        assert done.returncode == 0, done.stderr
    return database


@pytest.fixture(scope="module")
def made_by_itself(seeded, tmp_path_factory) -> bytes:
    """The seed report as the command makes it in its own process, in one piece."""
    output = tmp_path_factory.mktemp("ahead-itself") / "itself.pdf"
    return _report(seeded, output, REPORT_TYPESET_AHEAD="off")


def test_the_command_makes_the_same_pdf_with_its_typesetting_started_ahead_or_not(
    seeded, made_by_itself, tmp_path
):
    ahead = _report(seeded, tmp_path / "ahead.pdf")
    assert ahead.startswith(b"%PDF-") and ahead == made_by_itself


def test_a_report_made_in_parts_is_the_same_started_ahead_or_not(seeded, made_by_itself, tmp_path):
    ahead = _report(seeded, tmp_path / "ahead.pdf", **IN_PARTS)
    itself = _report(seeded, tmp_path / "itself.pdf", REPORT_TYPESET_AHEAD="off", **IN_PARTS)
    assert ahead == itself
    # The control: the parts really were made (a report joined from parts is written by qpdf).
    assert ahead != made_by_itself


def test_the_typesetting_process_ends_with_the_command_also_when_the_command_fails(
    seeded, tmp_path
):
    marker = str(tmp_path / "never-written.pdf")
    done = _run(
        ["manage.py", "progress_report", "no-such-plan", *ISSUED, "--output", marker], seeded
    )
    assert done.returncode == 1 and "計画「no-such-plan」はありません。" in done.stderr
    deadline = time.monotonic() + 10
    while _processes_naming(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _processes_naming(marker) == []
    assert not Path(marker).exists()


# The command as manage.py runs it, with its typesetting process killed before the report.
KILLED_AHEAD = """
import os, signal, sys
import manage
from evaluations.reports import ahead
ahead.start()
os.kill(ahead._typesetter.pid, signal.SIGKILL)
sys.argv = ["manage.py", *sys.argv[1:]]
from django.core.management import execute_from_command_line
execute_from_command_line(sys.argv)
"""


def test_a_lost_typesetting_process_costs_only_the_head_start(seeded, made_by_itself, tmp_path):
    output = tmp_path / "lost.pdf"
    done = _run(
        ["-c", KILLED_AHEAD, "progress_report", OSAKA, *ISSUED, "--output", str(output)], seeded
    )
    assert done.returncode == 0, done.stderr
    assert "The report's typesetting process was lost; making the report here" in done.stderr
    assert output.read_bytes() == made_by_itself


# A typesetting process started ahead, asked for a report in two parts whose HTML fetches an image
# from the network (refused: a report fetches only its own files), and the same report made in
# this process. Prints what was logged, the progress steps of each, and whether the PDFs match.
LOGGED = """
import json, logging, sys
from evaluations.reports import ahead
ahead.start()
import django
django.setup()
records = []
class Keep(logging.Handler):
    def emit(self, record):
        records.append([record.name, record.levelname, record.getMessage()])
logging.getLogger().addHandler(Keep())
from evaluations.reports import parts
page = '<html lang="ja"><body><h1 id="{0}">{0}</h1><p>本文</p>{1}</body></html>'
image = '<img src="https://example.org/logo.png" alt="">'
htmls = [page.format("part-a", image), page.format("part-b", "")]
def front(pages):
    return page.format("front", "" if pages is None else json.dumps(pages, sort_keys=True))
def whole():
    return page.format("whole", "")
steps_ahead, steps_here = [], []
typesetter = ahead.take()
made = typesetter.make(front, htmls, whole, progress=lambda *step: steps_ahead.append(step))
here = parts.make(front, htmls, whole, progress=lambda *step: steps_here.append(step))
print(json.dumps({
    "logged": records, "same": made.data == here.data, "pages": made.part_pages,
    "steps": [steps_ahead, steps_here], "again": ahead.take() is None,
}, ensure_ascii=False))
"""


def test_what_weasyprint_logs_while_typesetting_ahead_reaches_the_commands_log():
    import json

    done = _run(["-c", LOGGED], None)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    refused = [r for r in result["logged"] if "https://example.org/logo.png" in r[2]]
    # Once from the process started ahead, once from the same parts made here.
    assert len(refused) == 2 and {r[0] for r in refused} == {"weasyprint"}
    assert result["same"] and result["pages"] == [1, 1]
    steps_ahead, steps_here = result["steps"]
    assert steps_ahead == steps_here
    assert [percent for percent, _step in steps_ahead] == [20, 60, 90]
    assert result["again"], "a second report does not find the process the first one used"


# The same, with the second part's process ending without a word (as a crash would): the parts
# fail, and the typesetting process asks the command for the whole report and makes it in one
# piece, as the command does by itself.
PART_LOST = """
import json, logging, os
from evaluations.reports import part_worker
render_part = part_worker.render_part
def crashing(connection, html, tagged):
    if "part-b" in html:
        os._exit(3)
    render_part(connection, html, tagged)
part_worker.render_part = crashing
from evaluations.reports import ahead
ahead.start()
import django
django.setup()
records = []
class Keep(logging.Handler):
    def emit(self, record):
        records.append([record.name, record.getMessage()])
logging.getLogger().addHandler(Keep())
from evaluations.reports import parts
page = '<html lang="ja"><body><h1 id="{0}">{0}</h1><p>本文</p></body></html>'
htmls = [page.format("part-a"), page.format("part-b")]
asked = []
def whole():
    asked.append(True)
    return page.format("whole")
steps = []
made = ahead.take().make(lambda pages: page.format("front"), htmls, whole,
                         progress=lambda *step: steps.append(step))
here = parts.make(None, None, lambda: page.format("whole"))
print(json.dumps({"logged": records, "asked": len(asked), "steps": steps,
                  "same": made.data == here.data, "pages": made.part_pages}))
"""


def test_when_a_part_fails_ahead_the_command_is_asked_for_the_whole_report_in_one_piece():
    import json

    done = _run(["-c", PART_LOST], None)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert [
        "evaluations.reports.parts",
        "The report could not be made in parts; making it in one piece",
    ] in [[name, message.splitlines()[0]] for name, message in result["logged"]]
    assert result["asked"] == 1 and result["same"] and result["pages"] == []
    assert [percent for percent, _step in result["steps"]] == [20, 20, 80]
