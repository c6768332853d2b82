"""Management commands start without the document libraries.

Timers and operators run commands all day; WeasyPrint, openpyxl, pikepdf and Pillow together cost
seconds to import, and only making a PDF, a workbook or a share card needs them. So start-up
(settings, apps, the root URLconf, the system checks, the template tag libraries, every command
module of the project) must not import them; the modules that use them import them where they
are used. Run in a fresh interpreter, since this test process has long since imported them all.
"""

import json

from tests.fresh_settings import run_fresh

HEAVY = ("weasyprint", "openpyxl", "pikepdf", "PIL", "pydyf", "fontTools")

START_UP = """
import json, sys
import django
django.setup()
from django.core.management import call_command, get_commands, load_command_class
from django.template import engines
from django.urls import get_resolver

get_resolver().url_patterns  # the root URLconf and everything it includes
for engine in engines.all():
    engine.engine.template_libraries  # every {% load %}able tag library
call_command("check", verbosity=0)
for name, app in get_commands().items():
    if not app.startswith("django."):
        load_command_class(app, name)
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in HEAVY)))
"""


def _loaded_after_start_up() -> list[str]:
    shown = run_fresh("-c", f"HEAVY = {HEAVY!r}\n{START_UP}")
    return json.loads(shown.splitlines()[-1])


def test_start_up_imports_no_document_library():
    assert _loaded_after_start_up() == []


def test_the_system_checks_import_neither_the_reports_layout_nor_its_parts():
    # The views that make or name a PDF import it (0.03 s of every checked command's start).
    shown = run_fresh(
        "-c",
        "import sys, django; django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('check', verbosity=0)\n"
        "print(sorted(m for m in sys.modules if m.startswith('evaluations.reports.')))\n",
    )
    assert (
        shown.splitlines()[-1] == "['evaluations.reports.jobs', 'evaluations.reports.typesetting']"
    )


def test_a_command_runs_with_the_collector_on_and_start_up_frozen_out_of_its_walks():
    # manage.py keeps the collector off while Django sets up (a tenth of a command's start);
    # a long command (the task worker, a 1,000-item report) must run with it on again.
    shown = run_fresh(
        "manage.py",
        "shell",
        "-c",
        "import gc; print(gc.isenabled(), gc.get_freeze_count() > 10_000)",
    )
    assert shown.splitlines()[-1] == "True True"


def test_a_web_worker_starts_with_its_urls_loaded_and_frozen_out_of_the_collectors_walks():
    shown = run_fresh(
        "-c",
        "import gc, sys\n"
        "import reformtracker.wsgi\n"
        "print(gc.isenabled(), gc.get_freeze_count() > 10_000,"
        " 'evaluations.views.staff' in sys.modules)\n",
    )
    assert shown.splitlines()[-1] == "True True True"
