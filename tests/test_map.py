"""The tests' own layout (tests/README.md): helpers come from plain modules, never from a conftest
or from another test module, so each test module can be read, moved or deleted on its own."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _modules() -> list[Path]:
    return sorted(p for p in TESTS.rglob("*.py") if "vendor" not in p.relative_to(TESTS).parts)


def _is_forbidden(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return last == "conftest" or last.startswith("test_")


def _imported(tree: ast.AST) -> list[tuple[int, str]]:
    """Every module a file imports, with its line: ``from a.b import c`` names both ``a.b`` and
    ``a.b.c`` (c may be a module)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base.rstrip('.')}.{alias.name}") for alias in node.names]
    return found


def test_no_module_imports_from_a_conftest_or_a_test_module():
    offences = [
        f"{path.relative_to(TESTS.parent)}:{line} imports {name}"
        for path in _modules()
        for line, name in _imported(ast.parse(path.read_text(encoding="utf-8")))
        if _is_forbidden(name)
    ]
    assert offences == [], "move what is shared into a plain module (tests/README.md)"


def test_every_folder_of_tests_is_a_package():
    folders = {path.parent for path in _modules()}
    assert sorted(str(f) for f in folders if not (f / "__init__.py").exists()) == []
