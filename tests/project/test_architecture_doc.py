"""docs/architecture.md is the map of the code: every file it names exists, and every module of
the apps is named in it, so a new module or a move cannot land without the map."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
PACKAGES = ("reformtracker", "initiatives", "evaluations", "xmeetings")
# Plumbing every Django app has, named in no map.
UNMAPPED = {"__init__.py", "apps.py"}


def test_every_path_the_map_names_exists():
    named = set(
        re.findall(r"`((?:reformtracker|initiatives|evaluations|xmeetings|tests)/[\w/.]+)", DOC)
    )
    missing = sorted(path for path in named if not (ROOT / path.rstrip("/")).exists())
    assert missing == []


def test_every_module_of_the_apps_is_on_the_map():
    unnamed = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if path.name in UNMAPPED or {"migrations", "management", "fonts"} & set(parts):
                continue
            if f"`{path.name}`" not in DOC and f"`{path.relative_to(ROOT)}`" not in DOC:
                unnamed.append(str(path.relative_to(ROOT)))
    assert unnamed == []
