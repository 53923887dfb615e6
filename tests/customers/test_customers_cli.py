"""``callcenter customers import | complaints | outbound`` against a real database and Redis."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from click.testing import CliRunner

from config.cli import cli
from store.customers import lookup_caller


@pytest.fixture
def env(db_url: str, redis_url: str, prefix: str, tmp_path: Path) -> dict[str, str]:
    return {
        "CALLCENTER_DB_URL": db_url,
        "CALLCENTER_REDIS_URL": redis_url if "://" in redis_url else f"unix://{redis_url}",
        "CALLCENTER_REDIS_PREFIX": prefix,
        "CALLCENTER_VAR_DIR": str(tmp_path / "var"),
        "CALLCENTER_CONFIG": "/dev/null",
    }


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # same commands on both
async def test_import_complaints_outbound(env, tmp_path, redis, prefix) -> None:
    csv = tmp_path / "customers.csv"
    csv.write_text(
        "customer_id,name,phones,tier\nc1,张三,13812345678,vip\nc2,Li,12,ordinary\nc3,Wu,13900001111,\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    result = await asyncio.to_thread(runner.invoke, cli, ["customers", "import", str(csv)], env=env)
    assert result.exit_code == 1, result.output  # one bad row
    assert "2 customers imported" in result.output
    assert "phones" in result.output and "3" in result.output
    assert await lookup_caller(redis, prefix, "+8613812345678") == ("c1", "vip")

    result = await asyncio.to_thread(runner.invoke, cli, ["complaints", "--overdue"], env=env)
    assert result.exit_code == 0, result.output
    assert "0 overdue complaints" in result.output
    result = await asyncio.to_thread(runner.invoke, cli, ["outbound"], env=env)
    assert result.exit_code == 0, result.output
    assert "outbound tasks" in result.output
    for cmd in (["customers", "--help"], ["outbound", "--help"], ["complaints", "--help"]):
        assert (await asyncio.to_thread(runner.invoke, cli, cmd)).exit_code == 0
