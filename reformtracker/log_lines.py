"""One event, one log line: what a visitor typed (a username, a path) cannot start a line of its
own. Control characters in a log message's arguments are written escaped (``\\n``), as Django
escapes the path in its own request log. In production each line is a JSON object
(JsonFormatter)."""

import json
import logging
import re
from datetime import UTC, datetime

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# What json.dumps(ensure_ascii=False) writes raw but some readers take for a line break.
_UNSPLIT = re.compile(r"[\x7f-\x9f\u2028\u2029]")


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


# What every LogRecord has; anything else on a record was given as ``extra`` by its writer.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request"}


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON: time (UTC), level, logger, request id, message, and the
    fields the writer gave as ``extra`` (the access log's method, path, status, duration_ms,
    user). JSON escapes line breaks, so a record is one line whatever it carries."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        entry |= {
            key: value
            for key, value in vars(record).items()
            if key not in _STANDARD and key not in entry
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        line = json.dumps(entry, ensure_ascii=False, default=str)
        # JSON leaves these unescaped, yet readers that split lines (Python's splitlines, some
        # log shippers) break a line at NEL, U+2028 and U+2029.
        return _UNSPLIT.sub(lambda m: f"\\u{ord(m[0]):04x}", line)
