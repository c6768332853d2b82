"""The commands a timer runs all day (deploy/systemd) and check_invariants skip the system
checks, which `manage.py check`, the deploy's migrate and these tests run: importing every
URLconf and view for them was a fifth of each command's start."""

from pathlib import Path

import pytest
from django.core import checks
from django.core.management import call_command, load_command_class
from django.core.management.base import SystemCheckError

pytestmark = pytest.mark.django_db

UNITS = Path(__file__).resolve().parents[2] / "deploy" / "systemd"
OURS_ON_TIMERS = ["clear_stale_imports", "send_overdue_reminders", "clear_report_jobs"]


@pytest.fixture
def a_failing_check():
    def broken(**kwargs):
        return [checks.Error("broken on purpose", id="tests.E001")]

    checks.register(broken)
    yield
    checks.registry.registry.registered_checks.discard(broken)


def test_these_are_the_commands_the_timers_run():
    for name in OURS_ON_TIMERS:
        assert any(f"manage.py {name}" in unit.read_text() for unit in UNITS.glob("*.service"))


@pytest.mark.parametrize("name", [*OURS_ON_TIMERS, "check_invariants"])
def test_a_timer_command_runs_without_the_system_checks(a_failing_check, name):
    with pytest.raises(SystemCheckError):
        call_command("check")
    # As from the command line (call_command would skip the checks whatever the command says).
    command = load_command_class("evaluations", name)
    args = ["--dry-run"] if name == "send_overdue_reminders" else []
    options = command.create_parser("manage.py", name).parse_args(args)
    command.execute(**vars(options))  # no SystemCheckError
