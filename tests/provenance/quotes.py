"""What the fixtures claim to quote: every (file, path, field, text) an object's ``quoted`` list
names, and the source document of each fixture (fixtures/sources/)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from django.conf import settings

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
SOURCES = FIXTURES / "sources"


def squeeze(text: str) -> str:
    """The text with every run of whitespace (spaces, tabs, line breaks) removed: the source is
    a layout of lines and cells, the fixtures run its sentences on."""
    return re.sub(r"\s+", "", text)


def fixtures() -> dict[str, dict]:
    return {
        path.name: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(FIXTURES.glob("*.json"))
    }


def source_of(data: dict) -> str:
    return (SOURCES / data["source_document"]).read_text(encoding="utf-8")


def quoted(data, path: str = "") -> list[tuple[str, str, str]]:
    """(where, field, text) for every field an object of ``data`` marks as quoted."""
    found = []
    if isinstance(data, dict):
        for name in data.get("quoted", []):
            found.append((path, name, data[name]))
        for key, value in data.items():
            found += quoted(value, f"{path}.{key}")
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += quoted(value, f"{path}[{index}]")
    return found


def objects(data, key: str) -> list[dict]:
    return list(data.get(key, []))
