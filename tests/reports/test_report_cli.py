"""``callcenter report``: CSV with the machine column names, XLSX equal to the CSV, the table's
"—", and bad arguments named (exit 2), against SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from callcenter_testkit.report_day import known_day
from click.testing import CliRunner
from openpyxl import load_workbook

from config.cli import cli
from reports.definitions import AGENT_COLUMNS, DISPOSITION_COLUMNS, QUEUE_COLUMNS
from store.writer import write_events

CONFIG = """
timezone = "Asia/Shanghai"

[[queues]]
id = "sales"
sl_target_s = 20
short_abandon_s = 5

[[queues]]
id = "support"
sl_target_s = 30
short_abandon_s = 10
abandon_counts_against_sl = false
"""
DAY = ["--from", "2026-12-07", "--to", "2026-12-07"]


@pytest.fixture
async def env(engine, db_url: str, tmp_path: Path) -> dict[str, str]:
    async with engine.begin() as conn:
        await write_events(conn, known_day())
    config = tmp_path / "callcenter.toml"
    config.write_text(CONFIG)
    return {"CALLCENTER_DB_URL": db_url, "CALLCENTER_CONFIG": str(config)}


def run(env: dict[str, str], *args: str):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_intervals_csv(env: dict[str, str]) -> None:
    result = run(env, "report", "intervals", *DAY, "--interval-min", "30", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (
        "interval_start,queue,offered,answered,answered_in_sl,abandoned,abandoned_short,"
        "sl_pct,asa_s,aht_s,hold_s,transfers,rona,callbacks,no_data,surveyed,csat_pct"
    )
    got = rows(result.output)
    assert len(got) == 48 * 2
    nine = next(r for r in got if r["interval_start"] == "2026-12-07T09:00:00+08:00")
    assert nine["queue"] == "sales"
    assert [nine[k] for k in ("offered", "answered", "abandoned", "abandoned_short")] == [
        "6", "3", "2", "1"
    ]  # fmt: skip
    assert (nine["sl_pct"], nine["asa_s"], nine["aht_s"], nine["no_data"]) == (
        "50.0", "18.3", "270.0", "0"
    )  # fmt: skip
    quiet = next(r for r in got if r["interval_start"] == "2026-12-07T03:00:00+08:00")
    assert (quiet["offered"], quiet["sl_pct"], quiet["asa_s"]) == ("0", "", "")
    ten = [r["no_data"] for r in got if r["interval_start"].startswith("2026-12-07T10:")]
    assert ten == ["1", "1", "0", "0"]  # 10:00 (sales, support), 10:30 (sales, support)


def test_every_kind_has_its_columns_and_one_queue_can_be_chosen(
    env: dict[str, str],
) -> None:
    for kind, columns in (
        ("queues", QUEUE_COLUMNS),
        ("agents", AGENT_COLUMNS),
        ("dispositions", DISPOSITION_COLUMNS),
    ):
        result = run(env, "report", kind, *DAY, "--format", "csv", "--queue", "support")
        assert result.exit_code == 0, result.output
        assert result.output.splitlines()[0] == ",".join(columns)
    queues = rows(
        run(env, "report", "queues", *DAY, "--format", "csv", "--queue", "support").output
    )
    assert [(r["queue"], r["offered"], r["sl_pct"]) for r in queues] == [("support", "2", "100.0")]


def test_xlsx_needs_out_and_equals_the_csv(env: dict[str, str], tmp_path: Path) -> None:
    result = run(env, "report", "agents", *DAY, "--format", "xlsx")
    assert result.exit_code == 2 and "--out" in result.output
    out = tmp_path / "agents.xlsx"
    assert run(env, "report", "agents", *DAY, "--format", "xlsx", "--out", str(out)).exit_code == 0
    sheet = load_workbook(out, read_only=True)["agents"]
    width = len(AGENT_COLUMNS)
    from_xlsx = [
        ["" if v is None else str(v) for v in (*r, *[None] * (width - len(r)))]
        for r in sheet.iter_rows(values_only=True)
    ]
    text = run(env, "report", "agents", *DAY, "--format", "csv").output
    from_csv = list(csv.reader(io.StringIO(text)))
    norm = [[c.removesuffix(".0") for c in r] for r in from_csv]  # XLSX keeps 1800.0 as 1800
    assert [[c.removesuffix(".0") for c in r] for r in from_xlsx] == norm


def test_table_shows_a_dash_for_nothing_measured(env: dict[str, str]) -> None:
    result = run(env, "report", "queues", *DAY)
    assert result.exit_code == 0, result.output
    assert "sales" in result.output and "support" in result.output
    result = run(env, "report", "intervals", *DAY, "--interval-min", "60", "--queue", "sales")
    assert "—" in result.output  # quiet hours: no service level, no ASA


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--from", "2026-12-08", "--to", "2026-12-07"], "--to"),
        (["--from", "7 Dec", "--to", "2026-12-07"], "--from"),
        ([*DAY, "--queue", "nope"], "--queue"),
        ([*DAY, "--interval-min", "20"], "--interval-min"),
    ],
)
def test_bad_arguments_are_named(env: dict[str, str], args: list[str], named: str) -> None:
    result = run(env, "report", "intervals", *args)
    assert result.exit_code == 2
    assert named in result.output
