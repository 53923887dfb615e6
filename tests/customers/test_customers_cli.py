"""``callcenter customers import | complaints | outbound`` against a real database and Redis."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from rich.console import Console

from config.cli import cli
from config.commands.customers import _task_table
from customers.caller_index import lookup_caller
from kernel.files import CSV_FIELD_LIMIT


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

    sales = tmp_path / "sales.csv"
    sales.write_text(
        "sale_id,customer_id,sold_at,product,amount,agent_id\n"
        "s1,c1,2026-11-16T09:30:00+08:00,kettle,199.5,a1\n"
        "s2,c1,yesterday,kettle,10,a1\n",
        encoding="utf-8",
    )
    cmd = ["customers", "import-sales", str(sales)]
    result = await asyncio.to_thread(runner.invoke, cli, cmd, env=env)
    assert result.exit_code == 1, result.output  # one bad row
    assert "1 bad rows" in result.output and "sold_at" in result.output
    assert "1 sales imported" in result.output
    await redis.delete(*await redis.keys(f"{prefix}*"))
    result = await asyncio.to_thread(runner.invoke, cli, ["customers", "sync-index"], env=env)
    assert result.exit_code == 0, result.output
    assert "2 numbers in the caller lookup" in result.output
    assert await lookup_caller(redis, prefix, "+8613812345678") == ("c1", "vip")

    result = await asyncio.to_thread(runner.invoke, cli, ["complaints", "--overdue"], env=env)
    assert result.exit_code == 0, result.output
    assert "0 overdue complaints" in result.output
    result = await asyncio.to_thread(runner.invoke, cli, ["outbound"], env=env)
    assert result.exit_code == 0, result.output
    assert "outbound tasks" in result.output
    for cmd in (["customers", "--help"], ["outbound", "--help"], ["complaints", "--help"]):
        assert (await asyncio.to_thread(runner.invoke, cli, cmd)).exit_code == 0


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_customers_import_keeps_the_good_rows(env: dict[str, str], tmp_path: Path) -> None:
    notes = "n" * (200 * 1024)  # a large field, under the limit: imported
    rows = [
        b"customer_id,name,phones,tier,notes",
        b"c1,Wang,13812345678,vip," + notes.encode(),
        "c2,Zürich,13900001111,ordinary,".encode("latin-1"),  # not UTF-8: this row only
        b"c3,Li,13700002222,ordinary," + b"z" * (CSV_FIELD_LIMIT + 1),  # over the limit
        b"c4,Wu,13600003333,ordinary,",
    ]
    path = tmp_path / "customers.csv"
    path.write_bytes(b"\n".join(rows) + b"\n")
    cmd = ["customers", "import", str(path)]
    result = await asyncio.to_thread(CliRunner().invoke, cli, cmd, env=env)
    assert result.exit_code == 1, result.output  # some rows were bad
    assert isinstance(result.exception, SystemExit)
    assert "2 customers imported" in result.output
    assert "not UTF-8 text (byte 0xfc)" in result.output
    assert "field larger than field limit" in result.output
    bad_lines = [ln.split("│")[1].strip() for ln in result.output.splitlines() if "│" in ln]
    assert {"3", "4"} <= set(bad_lines)


def test_task_table_names_callbacks_asked_for_in_line() -> None:
    at = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)
    row = {
        "task_id": "cb-1",
        "kind": "callback",
        "source": "queue",
        "customer_id": None,
        "status": "queued",
        "due_at": at,
        "deadline_at": None,
        "attempts": 1,
        "max_attempts": 3,
        "last_outcome": None,
        "outcome": None,
    }
    console = Console(width=200, record=True)
    console.print(_task_table([row, {**row, "task_id": "cb-2", "source": "call"}], ZoneInfo("UTC")))
    rows = [line for line in console.export_text().splitlines() if line.startswith("│")]
    lines = {line.split("│")[1].strip(): line for line in rows}
    assert "callback (in line)" in lines["cb-1"]
    assert "callback (in line)" not in lines["cb-2"] and "callback" in lines["cb-2"]
