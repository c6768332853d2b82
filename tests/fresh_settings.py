"""Settings as a server reads them at start-up: computed in a new Python process from its
environment alone, so a test sees what DJANGO_ENV=production (or any variable) really gives,
not what the test process's settings fixture says."""

import json
import os
import subprocess
import sys

from django.conf import settings


def read_settings(expression: str, *, forget: tuple[str, ...] = (), **env):
    """``expression`` (Python, ``s`` being the settings) as JSON, computed by a new process whose
    environment is this one's without the variables starting with DJANGO_ or one of
    ``forget``, plus ``env``."""
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps({expression}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", *forget))}
    clean |= {"DJANGO_SETTINGS_MODULE": "reformtracker.settings", "SECRET_KEY": "x" * 50} | env
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=clean,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout)


def run_fresh(*args: str, timeout: int = 120) -> str:
    """The standard output of ``python *args`` (``-c CODE``, or ``manage.py …``) in a new process
    in the repository, with this one's environment as a test run sets it up (DJANGO_ENV=test,
    SQLite): for what only a fresh interpreter shows, such as what start-up imports."""
    env = {**os.environ, "DJANGO_ENV": "test", "DJANGO_SETTINGS_MODULE": "reformtracker.settings"}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()
