"""The services and workbook packages import their modules on a name's first use
(reformtracker/lazy_names.py), and the names are the modules' own objects."""

from pathlib import Path

from evaluations import services, workbooks
from evaluations.services import rounds
from tests.fresh_settings import run_fresh


def test_each_name_is_its_modules_own_object():
    assert services.publish_round is rounds.publish_round
    assert services.Conflict.__module__ == "evaluations.services.base"
    assert workbooks.check_zip.__module__ == "evaluations.workbooks.safety"


def test_no_name_of_a_package_is_also_one_of_its_modules():
    """Importing a module sets the package's attribute of its name to the module: a function
    of that name would be hidden whenever the module was imported by its own path."""
    for package in (services, workbooks):
        folder = Path(package.__file__).parent
        modules = {p.stem for p in folder.glob("*.py")} | {
            p.name for p in folder.iterdir() if (p / "__init__.py").exists()
        }
        assert not modules & set(package.__all__), package.__name__


def test_the_workbooks_apply_is_the_function_even_after_its_module_was_imported_by_its_path():
    shown = run_fresh(
        "-c",
        "import django; django.setup()\n"
        "import evaluations.workbooks.applying\n"
        "from evaluations import workbooks\n"
        "print(callable(workbooks.apply), type(workbooks.apply).__name__)\n",
    )
    assert shown.splitlines()[-1] == "True function"


def test_an_unknown_name_is_an_attribute_error_and_dir_lists_every_name():
    try:
        services.no_such_service  # noqa: B018
    except AttributeError as error:
        assert "evaluations.services" in str(error)
    else:
        raise AssertionError("no AttributeError")
    assert {"publish_round", "record", "edit_entry"} <= set(dir(services))


def test_a_name_imports_its_module_and_no_other():
    shown = run_fresh(
        "-c",
        "import sys, django; django.setup()\n"
        "from evaluations import workbooks\n"
        "before = 'evaluations.workbooks.preview' in sys.modules\n"
        "workbooks.parse\n"
        "print(before, 'evaluations.workbooks.preview' in sys.modules,"
        " 'evaluations.workbooks.applying' in sys.modules)\n",
    )
    assert shown.splitlines()[-1] == "False True False"
