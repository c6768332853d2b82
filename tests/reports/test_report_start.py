"""The command-line report starts fast: WeasyPrint's C libraries are found from one look at the
loader's cache, and a report fetches only its own files, without loading the certificate store."""

import ctypes.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from evaluations.reports import typesetting

ROOT = Path(__file__).resolve().parents[2]

# Every name WeasyPrint tries for its libraries on Linux, found and not found.
NAMES = [
    "libgobject-2.0-0",
    "gobject-2.0-0",
    "gobject-2.0",
    "libpango-1.0-0",
    "pango-1.0",
    "harfbuzz",
    "harfbuzz-subset",
    "fontconfig",
    "pangoft2-1.0",
    "no-such-library-here",
]

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ldconfig is Linux's")


@linux_only
def test_libraries_are_found_from_the_loader_cache_as_ctypes_finds_them():
    listing = typesetting._ldconfig_listing()
    assert listing
    for name in NAMES:
        found = typesetting._soname(listing, name)
        assert found == (ctypes.util.find_library(name) if found else None), name


@linux_only
def test_importing_weasyprint_runs_neither_gcc_nor_ld_and_restores_find_library():
    code = """
import ctypes.util, json, os, sys
import django
django.setup()
searches = []
for name in ("_findLib_gcc", "_findLib_ld"):
    original = getattr(ctypes.util, name)
    setattr(ctypes.util, name, lambda n, o=original, s=name: searches.append(s) or o(n))
before = ctypes.util.find_library
from evaluations.reports import typesetting
typesetting.import_weasyprint()
print(json.dumps([searches, ctypes.util.find_library is before, "weasyprint" in sys.modules]))
"""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "reformtracker.settings", "DJANGO_ENV": "test"}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [[], True, True]


def test_importing_weasyprint_loads_no_certificate_authorities_and_restores_the_https_default():
    code = """
import json, ssl
import django
django.setup()
loaded = []
load_default_certs = ssl.SSLContext.load_default_certs
ssl.SSLContext.load_default_certs = lambda *a: loaded.append(a) or load_default_certs(*a)
from evaluations.reports import typesetting
typesetting.import_weasyprint()
during = len(loaded)
restored = ssl._create_default_https_context is ssl.create_default_context
ssl.create_default_context()  # the control: a default context still loads them
print(json.dumps([during, restored, len(loaded) > during]))
"""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "reformtracker.settings", "DJANGO_ENV": "test"}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [0, True, True]


@pytest.mark.django_db
def test_the_report_command_runs_no_system_checks_which_check_still_runs(osaka, tmp_path):
    from django.core import checks
    from django.core.management import call_command, load_command_class

    ran = []

    @checks.register("report-start-probe")
    def probe(app_configs, **kwargs):
        ran.append(True)
        return []

    try:
        # As `manage.py progress_report …` runs it (run_from_argv, without its closing of the
        # database connections): the options parsed from the command line, then execute().
        command = load_command_class("evaluations", "progress_report")
        arguments = [osaka.slug, "--fiscal-year", "2024", "--output", str(tmp_path / "r.pdf")]
        options = vars(command.create_parser("manage.py", "progress_report").parse_args(arguments))
        command.execute(*options.pop("args", ()), **options)
        assert ran == []
        assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF-")
        call_command("check", verbosity=0)
        assert ran == [True]
    finally:
        checks.registry.registry.registered_checks.discard(probe)


def test_a_report_reads_its_font_and_nothing_from_the_network():
    fetch = typesetting.url_fetcher()
    with pytest.raises(ValueError, match="disallowed protocol"):
        fetch("https://example.org/font.ttf")
    with pytest.raises(ValueError, match="disallowed protocol"):
        fetch("http://169.254.169.254/latest/meta-data/")
    response = fetch(typesetting.FONT_FILE.as_uri())
    assert response.read(4) in (b"\x00\x01\x00\x00", b"OTTO", b"true")


def test_a_report_loads_no_certificate_authorities(monkeypatch):
    import ssl

    loaded = []
    monkeypatch.setattr(ssl.SSLContext, "load_default_certs", lambda *a: loaded.append(a))
    typesetting.write(typesetting.render('<html lang="ja"><body><p>一</p></body></html>'))
    assert loaded == []


@linux_only
def test_a_library_only_ctypes_own_search_finds_is_still_found():
    code = """
import ctypes.util, json, sys
import django
django.setup()
from evaluations.reports import typesetting
class FirstAttemptFails:  # as if a library were only where ldconfig does not look
    failed = []
    def find_spec(self, name, path=None, target=None):
        if name == "weasyprint.text.ffi" and not self.failed:
            self.failed.append(name)
            raise OSError("cannot load library 'gobject-2.0-0'")
sys.meta_path.insert(0, FirstAttemptFails())
typesetting.import_weasyprint()
assert FirstAttemptFails.failed
from weasyprint import HTML
print(json.dumps(HTML(string="<p>x</p>").write_pdf()[:5].decode()))
"""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "reformtracker.settings", "DJANGO_ENV": "test"}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines() == ['"%PDF-"']
