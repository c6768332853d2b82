#!/usr/bin/env python
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


if __name__ == "__main__":
    main()
