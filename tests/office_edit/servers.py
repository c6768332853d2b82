"""memcached for a test, as scripts/run-production.sh runs it: started on a free port, stopped
(SIGTERM, waited for) when the block ends."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from contextlib import contextmanager

MEMCACHED = shutil.which("memcached") or "/usr/bin/memcached"


@contextmanager
def memcached(port: int):
    root = ["-u", "root"] if os.geteuid() == 0 else []
    process = subprocess.Popen(
        [MEMCACHED, "-l", "127.0.0.1", "-p", str(port), "-U", "0", "-m", "32", *root],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(0.3)
        assert process.poll() is None, "memcached did not start"
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=10)
