"""The embedded redis-server beside other commands: a running server of the directory is used and
left running; a stale pid file (a killed run, a vanished process, another program) never stops a
start; a server that dies is started again with its data."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess

import pytest
import redis as sync_redis

from config.embedded_redis import EmbeddedRedis
from kernel.liveness import PieceStatus


def test_a_running_server_is_used_and_left_running(tmp_path):
    owner = EmbeddedRedis(tmp_path).start()
    try:
        pid = owner.proc.pid
        beside = EmbeddedRedis(tmp_path).start()  # e.g. `customers import` beside `serve`
        assert not beside.owner and beside.url == owner.url
        beside.stop()
        assert owner.answers() and owner.proc.poll() is None and owner.proc.pid == pid
        assert owner.live_pid() == pid
    finally:
        owner.stop()
    assert not (tmp_path / "redis.sock.pid").exists()


@pytest.mark.parametrize("stale", ["vanished", "another program", "garbage"])
def test_a_stale_pid_file_does_not_stop_the_start(tmp_path, stale):
    pidfile = tmp_path / "redis.sock.pid"
    if stale == "vanished":
        gone = subprocess.Popen(["true"])
        gone.wait()  # that pid is gone: no /proc entry
        pidfile.write_text(str(gone.pid))
    elif stale == "another program":
        pidfile.write_text(str(os.getpid()))  # alive, but not a redis-server: left alone
    else:
        pidfile.write_text("not a pid")
    (tmp_path / "redis.sock").write_text("")  # a socket file left behind
    server = EmbeddedRedis(tmp_path).start()
    try:
        assert server.owner and server.answers()
        assert pidfile.read_text() == str(server.proc.pid)
    finally:
        server.stop()


@pytest.mark.timeout(60)
async def test_a_server_that_dies_is_started_again_with_its_data(tmp_path):
    server = await EmbeddedRedis(tmp_path).start_async()
    health = PieceStatus("embedded-redis")
    keeper = asyncio.create_task(server.keep_running(health, every_s=0.1))
    client = sync_redis.Redis(unix_socket_path=str(server.socket), decode_responses=True)
    try:
        client.set("kept", "yes")
        await asyncio.sleep(1.5)  # the append-only file is written every second
        dead = server.proc.pid
        os.kill(dead, signal.SIGKILL)
        async with asyncio.timeout(30):
            while health.state != "up" or server.proc is None or server.proc.pid == dead:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
        assert server.answers() and client.get("kept") == "yes"
        assert not keeper.done()
    finally:
        keeper.cancel()
        client.close()
        server.stop()
