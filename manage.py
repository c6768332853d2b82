#!/usr/bin/env python
import gc
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reformtracker.settings")
    if sys.argv[1:2] == ["progress_report"]:
        # The report's typesetting process starts now, beside Django's set-up rather than
        # after it (evaluations/reports/ahead.py).
        from evaluations.reports import ahead

        ahead.start()
    # Start-up (Django's set-up: every model, admin and app module) makes over a hundred
    # thousand objects that live as long as the process, and little garbage (about 2,000
    # objects, kept); the collector would walk them all several times over, a tenth of a
    # command's start. It runs again from the moment the command is found, with what start-up
    # made frozen out of its walks. After the fork above: the typesetting process collects.
    gc.disable()
    from django.core.management import ManagementUtility

    class Utility(ManagementUtility):
        def fetch_command(self, subcommand):
            # Called once Django is set up, before the command (or its help) runs.
            command = super().fetch_command(subcommand)
            gc.freeze()
            gc.enable()
            return command

    Utility(sys.argv).execute()
    # The command has done its work; what is left is the interpreter's exit, whose garbage
    # collections walk every object the command made: 0.3 s after a 1,000-item report, on
    # every run of a timer. Frozen objects are not walked; the process frees its memory as it
    # ends all the same (bench/bench_commands.py prints the exit's cost).
    gc.freeze()


if __name__ == "__main__":
    main()
