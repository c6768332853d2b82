"""The services and workbook packages import their modules on a name's first use
(reformtracker/lazy_names.py), and the names are the modules' own objects."""

from evaluations import services, workbooks
from evaluations.services import rounds
from tests.fresh_settings import run_fresh


def test_each_name_is_its_modules_own_object():
    assert services.publish_round is rounds.publish_round
    assert services.Conflict.__module__ == "evaluations.services.base"
    assert workbooks.check_zip.__module__ == "evaluations.workbooks.safety"


def test_the_workbooks_apply_is_the_function_after_another_name_of_its_module_was_used():
    # Importing apply.py sets the package's ``apply`` to the module; the names set with it
    # make it the function again. (Importing the module by its own path, which no code does,
    # would leave the module there: reformtracker/lazy_names.py.)
    shown = run_fresh(
        "-c",
        "import django; django.setup()\n"
        "from evaluations import workbooks\n"
        "workbooks.import_parsed\n"
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
        " 'evaluations.workbooks.apply' in sys.modules)\n",
    )
    assert shown.splitlines()[-1] == "False True False"
