"""A streaming physical replica of a test's own PostgreSQL server (tests/production/pgserver.py),
made as a city makes one: ``pg_basebackup -R`` (a copy of the primary's files with the settings
to follow it), started as a hot standby on a free port, as the ``postgres`` user when run as root.

    with PostgresServer() as primary, StreamingReplica(primary) as replica:
        replica.url          # postgresql://postgres@127.0.0.1:PORT/reformtracker, read-only
        replica.pause_replay(); replica.resume_replay()
        statements_since(replica, log_mark(replica))   # what the site ran on it since
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.production.pgserver import PG_BINDIR, PostgresServer


class StreamingReplica(PostgresServer):
    def __init__(self, primary: PostgresServer):
        super().__init__()
        self.primary = primary

    def __enter__(self) -> StreamingReplica:
        if self.as_root:
            shutil.chown(self.tmp, "postgres", "postgres")
        self._run(
            PG_BINDIR / "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            self.primary.port,
            "-U",
            "postgres",
            "-D",
            self.data,
            "--write-recovery-conf",  # -R: standby.signal and primary_conninfo
            "--wal-method=stream",
            "--checkpoint=fast",
            "--no-sync",
            timeout=120,
        )
        with open(self.data / "postgresql.conf", "a") as f:
            f.write(f"\nunix_socket_directories = '{self.tmp}'\nhot_standby = on\n")
        self.start()  # pg_ctl -w: returns once the standby accepts read-only connections
        return self

    def in_recovery(self) -> bool:
        return self.psql("SELECT pg_is_in_recovery()") == "t"

    def pause_replay(self) -> None:
        """The replica keeps receiving the primary's log but applies none of it: a replica
        lagging behind, for as long as the test likes."""
        self.psql("SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        self.psql("SELECT pg_wal_replay_resume()")


def log_everything(server: PostgresServer) -> None:
    """Every statement the server runs goes to its log, after the client's application name
    (a replica made afterwards inherits the setting)."""
    server.psql("ALTER SYSTEM SET log_statement = 'all'")
    server.psql("ALTER SYSTEM SET log_line_prefix = '[%a] '")
    server.psql("SELECT pg_reload_conf()")


def log_mark(server: PostgresServer) -> int:
    return server.log.stat().st_size


# A statement in a server's log, after the client's application name (log_everything): a simple
# query's text, or a prepared statement's execution, its parameters on the next line.
_STATEMENT = re.compile(r"^\[(?P<app>.*?)\] LOG:  (?P<kind>statement|execute [^:]*): (?P<sql>.*)$")
_PARAMETERS = re.compile(r"^\[.*?\] DETAIL:  parameters: (?P<values>.*)$")


def statements_in(log: Path, mark: int, *, left_out: str, prepared: bool = True) -> list[str]:
    """The statements written in a server's ``log`` after byte ``mark``, but those of the client
    named ``left_out`` (the test's own); with ``prepared``, a prepared statement's executions
    too, its parameters appended (``SELECT … WHERE id = $1 -- $1 = '7'``)."""
    with open(log, "rb") as f:
        f.seek(mark)
        lines = f.read().decode("utf-8", "replace").splitlines()
    found = []
    for n, line in enumerate(lines):
        match = _STATEMENT.match(line)
        if not match or match["app"] == left_out:
            continue
        if match["kind"] == "statement":
            found.append(match["sql"])
        elif prepared:
            parameters = n + 1 < len(lines) and _PARAMETERS.match(lines[n + 1])
            found.append(match["sql"] + (f" -- {parameters['values']}" if parameters else ""))
    return found


def statements_since(server: PostgresServer, mark: int) -> list[str]:
    """The statements the site ran on ``server`` since ``mark`` (log_mark), the test's own
    psql calls left out."""
    return statements_in(server.log, mark, left_out="psql", prepared=False)
