"""Users and sessions in the store (SQLite and PostgreSQL), ``callcenter user add`` (an agent
user's agent must exist) and ``callcenter user unlock`` (audited)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from click.testing import CliRunner
from sqlalchemy.ext.asyncio import AsyncEngine

from config.cli import cli
from customers.audit import audit_rows
from kernel.settings import Settings
from store.db import create_engine
from web.session.passwords import verify_password
from web.session.ratelimit import Lock, LoginThrottle
from web.session.users import (
    UserExistsError,
    close_session,
    create_user,
    find_session,
    find_user,
    open_session,
    token_hash,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def test_user_and_session_round_trip(engine: AsyncEngine) -> None:
    await create_user(engine, "mei", "s3cret-passw0rd", "agent", now=NOW, agent_id="1001")
    user = await find_user(engine, "mei")
    assert user is not None and user.role == "agent" and user.agent_id == "1001"
    assert user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, "s3cret-passw0rd")
    assert not verify_password(user.password_hash, "wrong")
    with pytest.raises(UserExistsError):
        await create_user(engine, "mei", "another-password", "qa", now=NOW)

    token, csrf = await open_session(engine, user, now=NOW, ttl=timedelta(hours=1), address="::1")
    p = await find_session(engine, token, now=NOW + timedelta(minutes=59))
    assert p is not None and p.username == "mei" and p.csrf_token == csrf
    assert p.token_hash == token_hash(token) != token  # only the hash is stored
    assert await find_session(engine, token, now=NOW + timedelta(hours=1)) is None  # expired
    assert await find_session(engine, "forged", now=NOW) is None
    await close_session(engine, p.token_hash)
    assert await find_session(engine, token, now=NOW) is None


async def test_unknown_role_is_refused(engine: AsyncEngine) -> None:
    with pytest.raises(ValueError, match="role"):
        await create_user(engine, "x", "long enough pw", "boss", now=NOW)


def test_unknown_user_takes_a_real_check() -> None:
    assert verify_password(None, "anything") is False


def test_cli_user_add(tmp_path: Path) -> None:
    pw = tmp_path / "pw.txt"
    pw.write_text("a-long-password\n", encoding="utf-8")
    conf = tmp_path / "callcenter.toml"
    conf.write_text("", encoding="utf-8")
    env = {"CALLCENTER_VAR_DIR": str(tmp_path / "var"), "CALLCENTER_CONFIG": str(conf)}
    runner = CliRunner()
    result = runner.invoke(
        cli, ["user", "add", "lee", "--role", "supervisor", "--password-file", str(pw)], env=env
    )
    assert result.exit_code == 0, result.output
    assert "user lee added" in result.output
    again = runner.invoke(
        cli, ["user", "add", "lee", "--role", "qa", "--password-file", str(pw)], env=env
    )
    assert again.exit_code == 2 and "already exists" in again.output
    short = tmp_path / "short.txt"
    short.write_text("abc", encoding="utf-8")
    bad = runner.invoke(
        cli, ["user", "add", "kim", "--role", "qa", "--password-file", str(short)], env=env
    )
    assert bad.exit_code == 2 and "password" in bad.output
    prompted = runner.invoke(
        cli,
        ["user", "add", "ann", "--role", "planner"],
        input="pass-word-one\npass-word-one\n",
        env=env,
    )
    assert prompted.exit_code == 0, prompted.output

    async def check() -> None:
        engine = create_engine(f"sqlite:///{tmp_path / 'var' / 'callcenter.sqlite3'}")
        try:
            lee = await find_user(engine, "lee")
            ann = await find_user(engine, "ann")
        finally:
            await engine.dispose()
        assert lee is not None and lee.role == "supervisor"
        assert ann is not None and verify_password(ann.password_hash, "pass-word-one")

    asyncio.run(check())


def _cli_env(tmp_path: Path, toml: str = "") -> dict[str, str]:
    conf = tmp_path / "callcenter.toml"
    conf.write_text(toml, encoding="utf-8")
    pw = tmp_path / "pw.txt"
    pw.write_text("a-long-password\n", encoding="utf-8")
    return {"CALLCENTER_VAR_DIR": str(tmp_path / "var"), "CALLCENTER_CONFIG": str(conf)}


def test_cli_user_add_refuses_an_unknown_agent(tmp_path: Path) -> None:
    env = _cli_env(tmp_path, '[[agents]]\nid = "1001"\nskills = { sales = 3 }\n')
    pw = str(tmp_path / "pw.txt")
    runner = CliRunner()
    bad = runner.invoke(
        cli,
        ["user", "add", "kim", "--role", "agent", "--agent-id", "9999", "--password-file", pw],
        env=env,
    )
    assert bad.exit_code == 1
    assert bad.output.strip().splitlines() == [
        "Error: --agent-id: no agent '9999' in the store or the settings file"
        " (add the agent first, or run `callcenter db seed`)"
    ]
    default = runner.invoke(
        cli, ["user", "add", "kim", "--role", "agent", "--password-file", pw], env=env
    )
    assert default.exit_code == 1 and "--agent-id: no agent 'kim'" in default.output
    ok = runner.invoke(
        cli,
        ["user", "add", "kim", "--role", "agent", "--agent-id", "1001", "--password-file", pw],
        env=env,
    )
    assert ok.exit_code == 0, ok.output


def test_cli_user_unlock(tmp_path: Path, redis_url: str, prefix: str) -> None:
    env = _cli_env(tmp_path, f'redis_url = "{redis_url}"\nredis_prefix = "{prefix}"\n')
    runner = CliRunner()
    added = runner.invoke(
        cli,
        ["user", "add", "lee", "--role", "qa", "--password-file", str(tmp_path / "pw.txt")],
        env=env,
    )
    assert added.exit_code == 0, added.output
    settings = Settings.model_validate({"redis_prefix": prefix})

    async def throttle_do(failures: int) -> list[Lock]:
        client = aioredis.from_url(redis_url, decode_responses=True)
        try:
            t = LoginThrottle.for_settings(client, settings)
            for _ in range(failures):
                await t.failed("lee", "192.0.2.7")
            return await t.locks("lee", now=NOW)
        finally:
            await client.aclose()

    assert len(asyncio.run(throttle_do(settings.web.login_failures_per_user_address))) == 1
    done = runner.invoke(cli, ["user", "unlock", "lee"], env=env)
    assert done.exit_code == 0, done.output
    assert "user lee unlocked" in done.output
    assert asyncio.run(throttle_do(0)) == []
    again = runner.invoke(cli, ["user", "unlock", "lee"], env=env)
    assert again.exit_code == 0 and "user lee was not locked" in again.output
    missing = runner.invoke(cli, ["user", "unlock", "ghost"], env=env)
    assert missing.exit_code == 1
    assert missing.output.strip() == "Error: NAME: no user 'ghost'"

    async def audit() -> list[tuple[object, ...]]:
        engine = create_engine(f"sqlite:///{tmp_path / 'var' / 'callcenter.sqlite3'}")
        try:
            async with engine.connect() as conn:
                rows = await audit_rows(conn, entity_id="lee")
        finally:
            await engine.dispose()
        return [(r["actor"], r["action"], r["reason"]) for r in rows]

    assert asyncio.run(audit()) == [
        ("cli", "user.add", "added with role qa"),
        ("cli", "user.unlock", "sign-in unlocked"),
        ("cli", "user.unlock", "unlock asked; was not locked"),
    ]
