"""The arrows between modules point one way.

Page data lives in plain modules beside the models; views and template tag libraries are reached
only through URLconfs and templates, so nothing else may import them. And ``initiatives`` is the
base the other apps build on: it imports neither of them.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("reformtracker", "initiatives", "evaluations", "xmeetings")


def _modules():
    """(dotted name, path) of every project module, migrations and tests left out."""
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts or "tests" in parts:
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            yield ".".join(parts), path


def _imports(name: str, path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import in the file, at any depth; ``from a import b`` gives both
    ``a`` and ``a.b`` (b may be a module); relative imports resolved."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.append((node.lineno, module))
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def _is_view_or_tag_library(module: str) -> bool:
    parts = module.split(".")
    return parts[0] in PACKAGES and ("views" in parts or "templatetags" in parts)


def test_only_urlconfs_import_views_or_template_tags():
    offenders: dict[str, str] = {}  # "path:line" → the first view or tag module it imports
    for name, path in _modules():
        if path.name.startswith("urls"):
            continue
        for line, module in _imports(name, path):
            if _is_view_or_tag_library(module):
                offenders.setdefault(f"{path.relative_to(ROOT)}:{line}", module)
    assert not offenders, (
        "Only URLconfs (urls*.py) may import views, and only templates load template tags; "
        "move what these need into a plain module beside the models:\n  "
        + "\n  ".join(f"{where} imports {module}" for where, module in sorted(offenders.items()))
    )


def test_initiatives_imports_neither_evaluations_nor_xmeetings():
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for name, path in _modules()
        if name.split(".")[0] == "initiatives"
        for line, module in _imports(name, path)
        if module.split(".")[0] in ("evaluations", "xmeetings")
    ]
    assert not offenders, (
        "initiatives is the base the other apps build on; it must not import them:\n  "
        + "\n  ".join(sorted(set(offenders)))
    )


_TYPE_CHECKING = ("TYPE_CHECKING", "typing.TYPE_CHECKING")


def _module_level_imports(name: str) -> set[str]:
    """Project modules ``name`` imports when it is loaded (imports inside functions are not
    run then, nor those under ``if TYPE_CHECKING:``); a package's ``__init__`` comes with
    each of its modules."""
    path = ROOT / Path(*name.split("."))
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    found = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.If) and ast.unparse(node.test) in _TYPE_CHECKING:
            continue
        for inner in ast.walk(node) if not isinstance(node, ast.FunctionDef) else ():
            if isinstance(inner, ast.FunctionDef):
                break
            if isinstance(inner, ast.Import):
                found |= {alias.name for alias in inner.names}
            elif isinstance(inner, ast.ImportFrom) and inner.module and not inner.level:
                found.add(inner.module)
                found |= {f"{inner.module}.{alias.name}" for alias in inner.names}
    return {
        module
        for module in found
        if module.split(".")[0] in PACKAGES
        and (
            (ROOT / Path(*module.split("."))).with_suffix(".py").exists()
            or (ROOT / Path(*module.split("."))).is_dir()
        )
    }


def _loaded_with(name: str) -> set[str]:
    seen, todo = set(), [name]
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        parts = module.split(".")
        todo += [".".join(parts[:i]) for i in range(1, len(parts))]  # the packages above
        todo += sorted(_module_level_imports(module))
    return seen


def test_the_workbook_checks_load_without_the_services():
    """evaluations.evidence reads the container checks of evaluations.workbooks, and the
    services read evidence: loading the checks must not load the services back (applying a
    workbook loads them on first use), or the arrows would run in a circle."""
    loaded = _loaded_with("evaluations.evidence")
    assert "evaluations.workbooks.safety" in loaded
    assert not {m for m in loaded if m.startswith("evaluations.services")}
