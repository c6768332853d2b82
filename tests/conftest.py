"""Every fixture the tests share, and nothing else: the helpers they hand out are plain
modules (tests/personas.py, tests/constants.py, tests/factories.py) that tests import.
(Database: pytest-django builds test_reformtracker itself; `make test-postgres` points
DATABASE_URL at a throwaway PostgreSQL 15 via scripts/with-postgres.sh.)"""

import io
import os
import shutil
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.management import call_command
from django.utils import translation

from evaluations import services
from evaluations.choices import RoundKind
from initiatives.models import Department, Plan
from reformtracker.env import private_storages
from tests.constants import KITAKYUSHU, OSAKA, PRODUCTION_TRANSPORT
from tests.personas import World, build_world, client_for, make_member

# Playwright's sync API keeps an asyncio event loop running in the test's own thread, so Django
# would refuse every ORM call made while a browser is open ("SynchronousOnlyOperation: You cannot
# call this from an async context"), also in later tests when the browser is session-scoped.
# The tests themselves are plain synchronous code, so the check only gets in the way here.
# Caveat: ORM calls made inside a `with sync_playwright()` block that began after the test's
# database fixture may get a different connection (outside the test's transaction): create test
# data before starting Playwright, or start Playwright in a session fixture that
# django_db_setup depends on.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# The error Playwright raises when the Chromium process goes away under a test (its own crash or
# the machine's doing), as opposed to an assertion or a page that failed to load.
BROWSER_GONE = r"TargetClosedError: .*Target page, context or browser has been closed"


def pytest_collection_modifyitems(items):
    """A browser test whose Chromium died under it runs once more (pytest-rerunfailures). Only
    that error is rerun, and only once: a test that closes its own page wrongly fails the same
    way twice, and any other failure is reported at once."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.flaky(reruns=1, only_rerun=[BROWSER_GONE]))


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


_MIGRATED_GROUPS: dict[str, set[str]] = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's, and then each staff group's permission codenames as the migrations left
    them (``migrated_groups``), read at once: a transactional test flushes the database when it
    ends, data migrations included, and which test files share a process is not fixed when the
    suite runs in several."""
    from django.contrib.auth.models import Group

    with django_db_blocker.unblock():
        for group in Group.objects.prefetch_related("permissions"):
            _MIGRATED_GROUPS[group.name] = {p.codename for p in group.permissions.all()}
    yield


@pytest.fixture
def migrated_groups(django_db_setup) -> dict[str, set[str]]:
    return _MIGRATED_GROUPS


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # PBKDF2 would cost ~0.1 s per persona and test; the hasher is not what the tests test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def japanese_first():
    """Each test starts in the site's first language. A request to an English page leaves
    English active in the thread (LocaleMiddleware activates it and nothing resets it), so
    without this a test that renders outside a request (a workbook, a mail) would read the
    language of whichever test ran before it in the same process."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def private_media(request, settings, tmp_path):
    """Evidence files, finished reports and uploaded 照会票 go to a throwaway directory, or, for
    a test parametrised with ``indirect=["private_media"]`` over PRIVATE_FILES_BACKENDS, to the
    backend named (the database backend keeps them in the test database)."""
    backend = getattr(request, "param", "filesystem")
    settings.PRIVATE_FILES_BACKEND = backend
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, **private_storages(backend, tmp_path)}
    return tmp_path


# --- the seed data: both cities as published (fixtures/*.json) ------------------------------------


@pytest.fixture
def seeded(db):
    """Both cities' seed data, loaded as `manage.py load_seed` loads it."""
    call_command("load_seed", stdout=io.StringIO())


@pytest.fixture
def osaka(seeded) -> Plan:
    return Plan.objects.select_related("municipality").get(slug=OSAKA)


@pytest.fixture
def kitakyushu(seeded) -> Plan:
    return Plan.objects.select_related("municipality").get(slug=KITAKYUSHU)


@pytest.fixture
def open_round_2025(osaka):
    """令和7年度末の照会: every office-tracked item blank (未着手), as a new year starts."""
    return services.open_round_as_system(
        plan=osaka,
        fiscal_year=2025,
        kind=RoundKind.YEAR_END,
        as_of=date(2026, 3, 31),
        actor_name="test",
    )


@pytest.fixture
def osaka_reopened(osaka):
    """Osaka with its published 令和6年度末 round reopened for a correction, as the office does
    before corrected 照会票 come back (publishing leaves a round 公表済, read-only): the
    workbook tests import into it."""
    osaka.rounds.filter(fiscal_year=2024).update(state="open")
    return osaka


@pytest.fixture
def staff_kaikaku(osaka):
    """Staff of 市政改革室's own items (so staff of a department, for import purposes)."""
    return make_member("kaikaku", Department.objects.get(code="shisei-kaikaku"))


@pytest.fixture
def staff_zaisei(osaka):
    return make_member("zaisei", Department.objects.get(code="zaisei"))


@pytest.fixture
def page_cache(settings):
    """The whole-page cache as in production (tests have it off by default), emptied."""
    settings.PUBLIC_PAGE_CACHE = True
    settings.PUBLIC_PAGE_FINGERPRINT_SECONDS = 0  # tests publish and look at once
    cache.clear()
    yield
    cache.clear()


# --- the small world of the staff tests (tests/personas.py) ---------------------------------------


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def as_persona(world):
    """``as_persona("staff_a")`` → a test client signed in as that persona."""
    return lambda persona: client_for(world, persona)


# --- the HTTP layer: the seed with its demo accounts, production's transport settings ----------


@pytest.fixture
def site(db):
    """Both cities' seed data and the demo accounts; returns the latest publication."""
    from evaluations.models import Publication

    call_command("load_seed", verbosity=0)
    call_command("load_demo_accounts", verbosity=0)
    return Publication.objects.select_related("round__plan").latest("id")


@pytest.fixture
def production_like(settings):
    for name, value in PRODUCTION_TRANSPORT.items():
        setattr(settings, name, value)
    return settings
