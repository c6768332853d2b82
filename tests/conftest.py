"""Shared test plumbing. (Database: pytest-django builds test_reformtracker itself; `make
test-postgres` points DATABASE_URL at a throwaway PostgreSQL 15 via scripts/with-postgres.sh.)"""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API keeps an asyncio event loop running in the test's own thread, so Django
# would refuse every ORM call made while a browser is open ("SynchronousOnlyOperation: You cannot
# call this from an async context"), also in later tests when the browser is session-scoped.
# The tests themselves are plain synchronous code, so the check only gets in the way here.
# Caveat: ORM calls made inside a `with sync_playwright()` block that began after the test's
# database fixture may get a different connection (outside the test's transaction): create test
# data before starting Playwright, or start Playwright in a session fixture that
# django_db_setup depends on.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """The system Chromium for Playwright's launch(executable_path=...).

    `playwright install` is never run (browser downloads are blocked); `make test` installs the
    Debian `chromium` package instead. CHROMIUM_PATH overrides the location.
    """
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).is_file():
        pytest.fail(f"Chromium not found at {path}; run scripts/ensure-system-deps.sh as root")
    return path
