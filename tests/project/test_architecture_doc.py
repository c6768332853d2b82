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


def _app_paragraphs() -> dict[str, str]:
    """The text of "The modules, by app", split at each app's bold name."""
    section = DOC.split("## The modules, by app", 1)[1].split("\n## ", 1)[0]
    parts = re.split(r"^\*\*(\w+)\*\*", section, flags=re.M)
    return {name: text for name, text in zip(parts[1::2], parts[2::2], strict=True)}


def test_every_module_of_the_apps_is_on_the_map():
    paragraphs = _app_paragraphs()
    assert set(paragraphs) == set(PACKAGES)
    unnamed = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if path.name in UNMAPPED or {"migrations", "management", "fonts"} & set(parts):
                continue
            if f"`{path.name}`" not in paragraphs[package]:
                unnamed.append(str(path.relative_to(ROOT)))
    assert unnamed == []
