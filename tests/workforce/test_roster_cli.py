"""``callcenter staffing --format csv`` feeds ``callcenter roster --requirements``, and a roster
that cannot meet the requirement is explained and exits 1 (a real HiGHS solve in a child)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from callcenter_testkit.history import history_csv
from click.testing import CliRunner

from config.cli import cli
from workforce.formats import read_requirements_csv

pytestmark = pytest.mark.timeout(120)


def agents_csv(n: int, hours: int = 40) -> str:
    rows = [f"x{i},{hours - 10},{hours},07:00,22:00,,support" for i in range(n)]
    return (
        "agent_id,weekly_hours_min,weekly_hours_max,earliest_start,latest_end,days_off_wanted,skills\n"
        + "\n".join(rows)
        + "\n"
    )


def staffing_csv(tmp_path: Path, scale: float) -> tuple[Path, str]:
    history = tmp_path / "history.csv"
    history.write_text(history_csv(1, scale=scale))
    result = CliRunner().invoke(
        cli,
        ["staffing", "--input", str(history), "--shrinkage", "0.3", "--format", "csv"],
        env={},
    )
    assert result.exit_code == 0, result.output
    out = tmp_path / "requirements.csv"
    out.write_text(result.output)
    return out, result.output


def test_staffing_csv_is_roster_requirements(tmp_path: Path) -> None:
    path, text = staffing_csv(tmp_path, 1.0)
    rows = list(csv.DictReader(io.StringIO(text)))
    req = read_requirements_csv(text, str(path))
    assert len(req) == len(rows) == 7 * 48
    assert req.tolist() == [int(r["scheduled_agents"]) for r in rows]
    assert req.max() > 0 and req.iloc[0] == 0  # closed at night


def test_roster_short_of_the_requirement_exits_1_with_the_shortfall(tmp_path: Path) -> None:
    req, _ = staffing_csv(tmp_path, 1.0)
    agents = tmp_path / "agents.csv"
    agents.write_text(agents_csv(4))
    out = tmp_path / "roster.csv"
    result = CliRunner().invoke(
        cli,
        ["roster", "--requirements", str(req), "--agents", str(agents), "--out", str(out)]
        + ["--time-limit", "5"],
        env={"COLUMNS": "160"},
    )
    assert result.exit_code == 1, result.output
    assert out.read_text().startswith("agent_id,activity,start,end")  # still written
    assert "Short of the requirement:" in result.output and "agent-hours" in result.output
    assert "The roster cannot meet the requirement" in result.output
    assert "4 agents at most 40 h each" in result.output
    assert "lower bound 0," not in result.output  # a bound of 0 proves nothing: not shown


def test_roster_that_meets_the_requirement_exits_0(tmp_path: Path) -> None:
    req = tmp_path / "requirements.csv"
    lines = ["interval_start,required"]
    lines += [  # one agent 09:00-13:00 Monday to Friday (two cover each other's breaks)
        f"2026-12-{14 + d}T{9 + k // 2:02d}:{30 * (k % 2):02d}:00+08:00,1"
        for d in range(5)
        for k in range(8)
    ]
    req.write_text("\n".join(lines) + "\n")
    agents = tmp_path / "agents.csv"
    agents.write_text(agents_csv(3, hours=24))
    out = tmp_path / "roster.csv"
    result = CliRunner().invoke(
        cli,
        ["roster", "--requirements", str(req), "--agents", str(agents), "--out", str(out)]
        + ["--time-limit", "5", "--shift-lengths", "4,6,8"],
        env={"COLUMNS": "160"},
    )
    assert result.exit_code == 0, result.output
    assert "Short of the requirement" not in result.output
