"""Test helper, not a test: the ``callcenter`` command run as a user runs it, in a subprocess
with a clean environment, and the look at what it serves."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

EXE = str(Path(sys.executable).with_name("callcenter"))


def clean_env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALLCENTER_")}
    env.update(extra)
    return env


def run(args, env_extra, cwd, timeout=60):
    return subprocess.run(
        [EXE, *args], cwd=cwd, env=clean_env(env_extra), capture_output=True, text=True,
        timeout=timeout,
    )  # fmt: skip


def start(args: list[str], env_extra: dict[str, str], cwd: Path, log: Path) -> subprocess.Popen:
    """``callcenter ARGS`` in the background, its output to ``log``."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [EXE, *args], cwd=cwd, env=clean_env(env_extra), stdout=out, stderr=subprocess.STDOUT
        )


@contextmanager
def background(
    args: list[str], env_extra: dict[str, str], cwd: Path, log: Path
) -> Iterator[subprocess.Popen]:
    """``start`` for a ``with`` block: whatever is still running at its end is killed."""
    proc = start(args, env_extra, cwd, log)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def wait_until(condition: Callable[[], object], proc: subprocess.Popen, log: Path) -> None:
    """Poll ``condition`` (at most a minute); fails with the output if ``proc`` exits first."""
    deadline = time.monotonic() + 60
    while not condition():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"not so (exit {proc.poll()}):\n{log.read_text()[-5000:]}")
        time.sleep(0.02)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_servers_under(path: Path) -> list[str]:
    out = subprocess.run(["pgrep", "-af", "redis-server"], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if str(path) in line]


def healthz(port: int) -> tuple[int, dict[str, Any]] | None:
    """``/healthz``'s status and body, or None when nothing answers."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())
    except OSError:
        return None


def wait_for_healthz(port: int, proc: subprocess.Popen, log: Path, timeout_s: float = 120):
    """The first answer of ``/healthz``; fails with the process's output if it exits first."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        answer = healthz(port)
        if answer is not None:
            return answer
        if proc.poll() is not None:
            raise AssertionError(f"exited with {proc.returncode}:\n{log.read_text()[-5000:]}")
        time.sleep(0.2)
    raise AssertionError(f"no answer on port {port}:\n{log.read_text()[-5000:]}")
