"""The project package (settings, root URLs, the calendar, generic helpers) imports no domain
app: who may see what, the seed and the demo accounts live in the apps they are about. The root
URLconf, settings and the WSGI entry point name the domain's parts by dotted path only."""

import ast
from pathlib import Path

from django.conf import settings

DOMAIN_APPS = {"initiatives", "evaluations", "xmeetings"}


def _imported_modules(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def test_the_project_package_imports_no_domain_app():
    package = Path(settings.BASE_DIR) / "reformtracker"
    found = sorted(
        f"{path.relative_to(settings.BASE_DIR)}: {module}"
        for path in package.rglob("*.py")
        for module in _imported_modules(path)  # at the top or inside a function alike
        if module.split(".")[0] in DOMAIN_APPS
    )
    assert found == []
