"""A throwaway PostgreSQL server that a test (or a bench) owns: it can stop it and start it again
on the same port, which the server of scripts/with-postgres.sh (shared by the whole run) must not
do. Made the same way: a cluster in a temporary directory, trust authentication on 127.0.0.1,
a free port; as root the server runs as the ``postgres`` system user (initdb refuses root).

    with PostgresServer() as pg:
        pg.url            # postgresql://postgres@127.0.0.1:PORT/reformtracker
        pg.stop(); pg.start()
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tests.ports import free_port

PG_BINDIR = Path(os.environ.get("PG_BINDIR", "/usr/lib/postgresql/15/bin"))
DATABASE = "reformtracker"


def available() -> bool:
    return (PG_BINDIR / "initdb").exists()


class PostgresServer:
    def __init__(self):
        self.as_root = os.geteuid() == 0
        # Under /tmp: the postgres user must be able to reach it.
        self.tmp = Path(tempfile.mkdtemp(prefix="reformtracker-pg-", dir="/tmp"))
        self.data = self.tmp / "data"
        self.log = self.tmp / "server.log"
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def _run(self, *args, check=True, timeout=60):
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_root else []
        return subprocess.run(
            [*prefix, *map(str, args)], check=check, timeout=timeout, capture_output=True, text=True
        )

    def __enter__(self) -> PostgresServer:
        if self.as_root:
            if subprocess.run(["id", "-u", "postgres"], capture_output=True).returncode:
                subprocess.run(
                    [
                        "useradd",
                        "--system",
                        "--user-group",
                        "--home-dir",
                        "/var/lib/postgresql",
                        "--shell",
                        "/bin/bash",
                        "postgres",
                    ],
                    check=True,
                )
            shutil.chown(self.tmp, "postgres", "postgres")
        self._run(
            PG_BINDIR / "initdb",
            f"--pgdata={self.data}",
            "--auth=trust",
            "--username=postgres",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        conf = (
            "\nlisten_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{self.tmp}'\n"
            "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
            "max_connections = 100\n"
        )
        with open(self.data / "postgresql.conf", "a") as f:
            f.write(conf)
        self.start()
        subprocess.run(
            [
                PG_BINDIR / "createdb",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                DATABASE,
            ],
            check=True,
            timeout=30,
        )
        return self

    def start(self) -> None:
        """Starts the server on its port and returns once it accepts connections."""
        self._run(
            PG_BINDIR / "pg_ctl",
            "-D",
            self.data,
            "-l",
            self.log,
            "-o",
            f"-p {self.port}",
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        """Stops the server (``fast``: disconnects every client, as a restart does)."""
        self._run(PG_BINDIR / "pg_ctl", "-D", self.data, "-m", mode, "-w", "stop")

    def accepting(self) -> bool:
        return (
            subprocess.run(
                [PG_BINDIR / "pg_isready", "-h", "127.0.0.1", "-p", str(self.port), "-t", "1"],
                capture_output=True,
            ).returncode
            == 0
        )

    def psql(self, sql: str) -> str:
        """Runs one statement with psql; its unaligned output."""
        return subprocess.run(
            [
                PG_BINDIR / "psql",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                DATABASE,
                "-At",
                "-c",
                sql,
            ],
            check=True,
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout.strip()

    def __exit__(self, *exc) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(
                PG_BINDIR / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop", check=False
            )
        shutil.rmtree(self.tmp, ignore_errors=True)


def wait_until(condition, timeout: float, interval: float = 0.05) -> float:
    """Polls ``condition`` until it is true; the seconds it took (TimeoutError after ``timeout``)."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"not within {timeout} s")
        time.sleep(interval)
    return time.monotonic() - started
