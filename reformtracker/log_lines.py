"""One event, one log line: what a visitor typed (a username, a path) cannot start a line of its
own. Control characters in a log message's arguments are written escaped (``\\n``), as Django
escapes the path in its own request log."""

import logging
import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _escaped(value):
    if isinstance(value, str) and _CONTROL.search(value):
        return value.encode("unicode_escape").decode("ascii")
    return value


class OneLineFilter(logging.Filter):
    def filter(self, record):
        if isinstance(record.args, tuple):
            record.args = tuple(_escaped(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _escaped(arg) for key, arg in record.args.items()}
        return True
