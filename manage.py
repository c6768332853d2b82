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
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
    # The command has done its work; what is left is the interpreter's exit, whose garbage
    # collections walk every object the command made: 0.3 s after a 1,000-item report, on
    # every run of a timer. Frozen objects are not walked; the process frees its memory as it
    # ends all the same (bench/bench_commands.py prints the exit's cost).
    gc.freeze()


if __name__ == "__main__":
    main()
