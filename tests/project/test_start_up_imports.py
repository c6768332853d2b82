"""Management commands start without the document libraries.

Timers and operators run commands all day; WeasyPrint, openpyxl, pikepdf and Pillow together cost
seconds to import, and only making a PDF, a workbook or a share card needs them. So start-up
(settings, apps, the root URLconf, the system checks, the template tag libraries, every command
module of the project) must not import them; the modules that use them import them where they
are used. Run in a fresh interpreter, since this test process has long since imported them all.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
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
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "reformtracker.settings"}
    env.pop("DATABASE_URL", None)
    env["DJANGO_ENV"] = "test"
    code = f"HEAVY = {HEAVY!r}\n{START_UP}"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_start_up_imports_no_document_library():
    assert _loaded_after_start_up() == []
