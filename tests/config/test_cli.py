"""The ``callcenter`` command as a user meets it: help everywhere, exit code 2 on bad settings,
a clean stop on SIGTERM / Ctrl-C with no redis-server left behind."""

from __future__ import annotations

import json
import signal
import subprocess
import time
import urllib.request

import click
import pytest
from callcenter_testkit.cli_run import EXE, clean_env, free_port, redis_servers_under, run
from click.testing import CliRunner

from config.cli import cli


def all_commands(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for name, cmd in group.commands.items():
        out.append((*path, name))
        if isinstance(cmd, click.Group):
            out += all_commands(cmd, (*path, name))
    return out


def test_help_lists_commands():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in ("db", "serve", "version"):
        assert name in result.output


@pytest.mark.parametrize("path", all_commands(cli), ids=" ".join)
def test_every_subcommand_has_help(path):
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_unreachable_redis_stops_with_exit_2(tmp_path):
    r = run(["serve"], {"CALLCENTER_REDIS_URL": "redis://nope:1"}, tmp_path)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "redis_url" in lines[0] and "redis://nope:1" in lines[0]
    assert "Traceback" not in r.stderr


def test_wrong_type_in_file_stops_with_exit_2(tmp_path):
    (tmp_path / "bad.toml").write_text("[web]\nport = 'eighty'\n")
    r = run(["--config", "bad.toml", "serve"], {}, tmp_path)
    assert r.returncode == 2
    assert r.stderr.strip() == (
        "error: invalid setting web.port='eighty': Input should be a valid integer, "
        "unable to parse string as an integer"
    )


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_starts_serves_and_stops_cleanly(tmp_path, sig):
    port = free_port()
    env = clean_env({"CALLCENTER_WEB_PORT": str(port), "CALLCENTER_VAR_DIR": str(tmp_path / "var")})
    proc = subprocess.Popen(
        [EXE, "serve"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        body = None
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as resp:
                    body = json.loads(resp.read())
                    break
            except OSError:
                time.sleep(0.1)
        assert body is not None, "serve did not answer /healthz"
        assert body["ok"] and body["checks"]["redis"]["ok"] and body["checks"]["database"]["ok"]
        assert len(redis_servers_under(tmp_path)) == 1
        proc.send_signal(sig)
        proc.wait(timeout=30)
        assert proc.returncode == 0, proc.stdout.read() if proc.stdout else ""
        assert redis_servers_under(tmp_path) == []
        assert (tmp_path / "var" / "callcenter.sqlite3").exists()
    finally:
        if proc.poll() is None:
            proc.kill()
