"""Free TCP ports on 127.0.0.1 for the servers the tests start (gunicorn, PostgreSQL, memcached,
nginx, an SMTP server).

The kernel names a port that is free now (a bind to port 0), and the server binds it a moment
later. `make test` runs pytest in several processes at once (pytest-xdist), and two of them
could be told the same free port before either server has bound it. So each process keeps to
its own share of the ports: a port belongs to worker ``(port // 2) % workers`` (by pairs,
because Linux hands out even ports first for a bind to port 0, so a share by the port itself
would leave the odd-numbered workers almost nothing); and a process never hands out the same
port twice.
"""

from __future__ import annotations

import os
import socket

_handed_out: set[int] = set()


def _share() -> tuple[int, int]:
    """(this process's worker number, number of workers): (0, 1) outside pytest-xdist."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") or 1)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(worker.removeprefix("gw") or 0) % max(workers, 1), max(workers, 1)


def free_port() -> int:
    """A port on 127.0.0.1 that is free now and is this worker's alone to use."""
    worker, workers = _share()
    for _ in range(10_000):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if (port // 2) % workers == worker and port not in _handed_out:
            _handed_out.add(port)
            return port
    raise RuntimeError("no free port of this worker's share")
