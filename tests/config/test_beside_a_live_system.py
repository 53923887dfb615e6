"""Commands started beside a running platform, and starts after a crash: the running embedded
redis-server is used and never stopped; a pid file left by a SIGKILLed run does not stop the next
start; a taken web port stops ``serve`` and ``demo`` at once with exit code 2 and one line; a
stop signal during start-up stops cleanly; a second process with a consumer name in use stops
with exit code 2 naming the lock key."""

from __future__ import annotations

import os
import signal
import socket
from pathlib import Path

import pytest
import redis as sync_redis
from callcenter_testkit.cli_run import (
    background,
    free_port,
    healthz,
    redis_servers_under,
    run,
    wait_for_healthz,
    wait_until,
)


def env_for(tmp_path: Path, port: int) -> dict[str, str]:
    return {"CALLCENTER_WEB_PORT": str(port), "CALLCENTER_VAR_DIR": str(tmp_path / "var")}


def stop(proc, log: Path) -> None:
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0, log.read_text()[-5000:]


@pytest.mark.timeout(180)
@pytest.mark.parametrize("command", ["serve", "demo"])
def test_a_taken_web_port_stops_at_once_with_exit_2_naming_it(tmp_path, command):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = run([command], env_for(tmp_path, port), tmp_path, timeout=150)
    assert r.returncode == 2, r.stderr[-3000:]
    assert "Traceback" not in r.stderr
    errors = [line for line in r.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: invalid setting web.port={port}: cannot listen on 127.0.0.1:{port}: "
        "address already in use"
    ]
    assert redis_servers_under(tmp_path) == []


@pytest.mark.timeout(180)
def test_a_pid_file_left_by_a_sigkilled_run_does_not_stop_the_next_start(tmp_path):
    port = free_port()
    env = env_for(tmp_path, port)
    log = tmp_path / "serve.log"
    pidfile = tmp_path / "var" / "redis.sock.pid"
    with background(["serve"], env, tmp_path, log) as first:
        wait_for_healthz(port, first, log)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    assert pidfile.exists()  # nobody removed it: the next start finds it
    with background(["serve"], env, tmp_path, log) as second:
        status, body = wait_for_healthz(port, second, log)
        assert status == 200 and body["checks"]["redis"]["ok"], body
        assert body["pieces"]["embedded-redis"]["state"] == "up"
        assert int(pidfile.read_text()) != 0 and len(redis_servers_under(tmp_path)) == 1
        stop(second, log)
    assert redis_servers_under(tmp_path) == []


@pytest.mark.timeout(300)
def test_commands_beside_a_running_demo_leave_it_serving(tmp_path):
    port = free_port()
    env = env_for(tmp_path, port)
    log = tmp_path / "demo.log"
    pidfile = tmp_path / "var" / "redis.sock.pid"
    with background(["demo", "--port", str(port)], env, tmp_path, log) as demo:
        status, _ = wait_for_healthz(port, demo, log, timeout_s=240)
        assert status == 200
        redis_pid = int(pidfile.read_text())
        customers = tmp_path / "customers.csv"
        customers.write_text(
            "customer_id,name,phones,tier\nbeside-1,Zhao Lei,+8613800138999,vip\n", encoding="utf-8"
        )
        imported = run(["customers", "import", str(customers)], env, tmp_path, timeout=120)
        assert imported.returncode == 0, imported.stdout + imported.stderr
        assert "1 customers imported" in imported.stdout
        for args in (["db", "upgrade"], ["queues"]):
            r = run(args, env, tmp_path, timeout=120)
            assert r.returncode == 0, r.stdout + r.stderr
        assert demo.poll() is None, log.read_text()[-5000:]
        answer = healthz(port)
        assert answer is not None and answer[0] == 200, answer
        assert int(pidfile.read_text()) == redis_pid and os.path.exists(f"/proc/{redis_pid}")
        assert len(redis_servers_under(tmp_path)) == 1
        stop(demo, log)
    assert redis_servers_under(tmp_path) == []


@pytest.mark.timeout(120)
def test_a_stop_signal_during_start_up_stops_cleanly(tmp_path):
    log = tmp_path / "serve.log"
    pidfile = tmp_path / "var" / "redis.sock.pid"
    with background(["serve"], env_for(tmp_path, free_port()), tmp_path, log) as proc:
        wait_until(pidfile.exists, proc, log)  # the redis-server is starting: start-up under way
        stop(proc, log)
    assert redis_servers_under(tmp_path) == []


@pytest.mark.timeout(120)
def test_a_second_router_with_the_same_name_stops_naming_the_lock(tmp_path, redis_url, prefix):
    env = {
        "CALLCENTER_REDIS_URL": redis_url,
        "CALLCENTER_REDIS_PREFIX": prefix,
        "CALLCENTER_VAR_DIR": str(tmp_path / "var"),
    }
    name = f"router-{socket.gethostname()}"
    key = f"{prefix}:events:consumer-lock:router:{name}"
    client = sync_redis.Redis.from_url(redis_url, decode_responses=True)
    log = tmp_path / "router.log"
    try:
        with background(["router"], env, tmp_path, log) as first:
            wait_until(lambda: client.exists(key), first, log)
            second = run(["router"], env, tmp_path, timeout=60)
            assert second.returncode == 2, second.stderr[-3000:]
            [error] = [line for line in second.stderr.splitlines() if line.startswith("error:")]
            assert error.startswith(f"error: invalid setting routing.consumer='{name}'")
            assert key in error
            with background(["router", "--consumer", "router-2"], env, tmp_path, log) as other:
                other_key = f"{prefix}:events:consumer-lock:router:router-2"
                wait_until(lambda: client.exists(other_key), other, log)
                stop(other, log)
            stop(first, log)
    finally:
        for k in client.scan_iter(match=f"{prefix}*"):
            client.delete(k)
        client.close()
