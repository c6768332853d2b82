"""A package whose public names are imported from their modules on first use (PEP 562).

The admin imports evaluations.services and evaluations.evidence imports the workbook checks as
Django sets up, so every management command imported every module those packages name at its
start; each now imports a module when one of its names is first used::

    __getattr__, __dir__ = lazy_names(__name__, {"record": "base", ...}, globals())
"""

import importlib
from collections.abc import Callable


def lazy_names(
    package: str, module_of: dict[str, str], namespace: dict
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package``, whose public names are the keys of
    ``module_of`` and live in the package's module of that value. A name's first use imports
    its module and sets every name ``module_of`` gives that module in ``namespace`` (the
    package's globals) at once. No name is also a module's (tests/project/test_lazy_names.py):
    importing a module sets the package's attribute of its name to the module, which would
    then hide a function of that name (``workbooks.apply`` is in applying.py for this)."""

    def __getattr__(name: str):
        try:
            module_name = module_of[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        module = importlib.import_module(f"{package}.{module_name}")
        namespace.update(
            {
                each: getattr(module, each)
                for each, where in module_of.items()
                if where == module_name
            }
        )
        return namespace[name]

    def __dir__() -> list[str]:
        return sorted({*namespace, *module_of})

    return __getattr__, __dir__
