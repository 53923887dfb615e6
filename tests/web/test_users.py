"""Users and sessions in the store (SQLite and PostgreSQL), and ``callcenter user add``."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.ext.asyncio import AsyncEngine

from config.cli import cli
from store.db import create_engine
from web.session.passwords import verify_password
from web.session.ratelimit import LoginLimits, blocked_by
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


@pytest.mark.parametrize(
    ("user_failures", "address_failures", "expected"),
    [(0, 0, None), (2, 5, None), (3, 0, "username"), (0, 6, "address"), (9, 9, "username")],
)
def test_login_limits(user_failures: int, address_failures: int, expected: str | None) -> None:
    assert blocked_by(user_failures, address_failures, LoginLimits(900, 3, 6)) == expected


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
