"""Every setting lives in reformtracker/settings.py, documented, and is read from there.

A deployment learns what it can tune from the settings module's comments and the README's
settings table; a tunable declared nowhere (read with a default at its one use) or read straight
from the environment elsewhere would be missing from both.
"""

import ast
import re

import pytest
from django.conf import global_settings, settings
from django.core.exceptions import ImproperlyConfigured

import reformtracker.settings as project_settings
from reformtracker.env import env_float

ROOT = settings.BASE_DIR
SOURCE = (ROOT / "reformtracker" / "settings.py").read_text(encoding="utf-8")
ENV_READERS = {"env_str", "env_int", "env_bool", "env_float", "env_list"}
# The settings and their typed readers, and the entry points that name the settings module
# before there are settings.
MAY_USE_ENVIRON = {
    "reformtracker/settings.py",
    "reformtracker/env.py",
    "reformtracker/wsgi.py",
    "manage.py",
}


def _variables() -> list[str]:
    """The environment variables settings.py reads, in order."""
    return [
        node.args[0].value
        for node in ast.walk(ast.parse(SOURCE))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ENV_READERS
    ]


def _project_modules():
    for folder in ("reformtracker", "evaluations", "initiatives", "xmeetings"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")
    yield "manage.py", (ROOT / "manage.py").read_text(encoding="utf-8")


def test_each_variable_is_documented_beside_its_setting():
    variables = _variables()
    assert len(variables) > 30
    undocumented = [name for name in variables if f"Env {name};" not in SOURCE]
    assert undocumented == [], "say what it is, its unit and its default: '# Env NAME; unit; ...'"


def test_each_variable_is_in_the_readmes_settings_table():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("### Settings", 1)[1].split("\n#", 1)[0]
    missing = [name for name in _variables() if f"| `{name}` |" not in table]
    assert missing == []


def test_only_the_settings_read_the_environment():
    readers = [
        path
        for path, text in _project_modules()
        if path not in MAY_USE_ENVIRON and re.search(r"os\.getenv|os\.environ", text)
    ]
    assert readers == []


def test_every_setting_the_code_reads_is_declared():
    """Declared in settings.py (or one of Django's own), not only given a default where it
    is read."""
    read = {
        name
        for _path, text in _project_modules()
        for name in re.findall(
            r"\bsettings\.([A-Z][A-Z0-9_]+)|getattr\(settings, \"([A-Z][A-Z0-9_]+)\"", text
        )
    }
    names = {name for pair in read for name in pair if name}
    undeclared = sorted(
        name
        for name in names
        if not hasattr(project_settings, name) and not hasattr(global_settings, name)
    )
    assert undeclared == []


def test_a_number_setting_takes_a_fraction_and_refuses_a_word(monkeypatch):
    monkeypatch.setenv("SOME_SECONDS", "0.5")
    assert env_float("SOME_SECONDS", 1.0) == 0.5
    monkeypatch.setenv("SOME_SECONDS", "")
    assert env_float("SOME_SECONDS", 1.0) == 1.0
    monkeypatch.setenv("SOME_SECONDS", "soon")
    with pytest.raises(ImproperlyConfigured, match="SOME_SECONDS"):
        env_float("SOME_SECONDS", 1.0)


def test_no_setting_is_read_with_a_default_beside_it():
    # A default where a setting is read is a second, undocumented home for its value.
    readers = [
        path for path, text in _project_modules() if re.search(r"getattr\(\s*settings\s*,", text)
    ]
    assert readers == []
