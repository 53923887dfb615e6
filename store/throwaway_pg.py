"""A throwaway PostgreSQL cluster for tests and benchmarks (never used in production paths).

``initdb`` + ``pg_ctl`` in a temporary directory on a free loopback port. PostgreSQL refuses to
run as root, so when we are root the server runs as the ``postgres`` user (``runuser``).
``stop_server`` / ``start_server`` stop and start the same cluster (fault tests: the database
away for a while, then back with its data).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


class ThrowawayPostgresError(RuntimeError):
    pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ThrowawayPostgres:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="cc-pg-"))
        self.port = _free_port()
        self.user = "postgres"
        self._as: list[str] = []
        if os.geteuid() == 0:
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError as exc:
                raise ThrowawayPostgresError("running as root and no 'postgres' user") from exc
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]
        else:
            self.user = pwd.getpwuid(os.geteuid()).pw_name

    @property
    def url(self) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        result = subprocess.run([*self._as, *args], capture_output=True, text=True)
        if result.returncode != 0:
            raise ThrowawayPostgresError(f"{args[0]} failed: {result.stderr.strip()[-2000:]}")

    def start(self) -> ThrowawayPostgres:
        for tool in ("initdb", "pg_ctl"):
            if shutil.which(tool) is None:
                raise ThrowawayPostgresError(f"{tool} not found on PATH")
        data = self.dir / "data"
        self._run(
            shutil.which("initdb") or "initdb",
            "-D",
            str(data),
            "-U",
            self.user,
            "--auth=trust",
            "--encoding=UTF8",
            "--no-sync",
        )
        self.start_server()
        return self

    def start_server(self) -> None:
        """Start the cluster's server (again) and wait until it takes connections."""
        opts = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.dir} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._pg_ctl("-o", opts, "-w", "-l", str(self.dir / "server.log"), "start")

    def stop_server(self, mode: str = "fast") -> None:
        """Stop the server, keeping the cluster (``fast``: sessions are ended, data is kept)."""
        self._pg_ctl("-m", mode, "-w", "stop")

    def _pg_ctl(self, *args: str) -> None:
        self._run(shutil.which("pg_ctl") or "pg_ctl", "-D", str(self.dir / "data"), *args)

    def stop(self) -> None:
        with contextlib.suppress(ThrowawayPostgresError):
            self.stop_server("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> ThrowawayPostgres:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
