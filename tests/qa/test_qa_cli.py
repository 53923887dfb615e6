"""The commands: ``qa score`` (exact JSON), ``scorecard`` (table, CSV), ``qa sample``,
``qa calibration``, run through the ``callcenter`` group against SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from callcenter_testkit.form_toml import form_toml, item
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from config.cli import cli
from qa.calibrations_store import add_calibration_score, create_calibration, set_agreed_answers
from qa.forms import form_from_text
from qa.forms_store import save_form
from store.db import create_engine, session_factory
from store.models.qa import QaSample

FORM = form_toml(
    {
        "name": "Small",
        "version": 1,
        "critical_rule": "zero_evaluation",
        "sections": [
            {
                "name": "Greeting",
                "items": [
                    item("greet", "Greets", 2, "yes_no"),
                    item("tone", "Tone", 3, "scale", max=4),
                ],
            },
            {
                "name": "Hold",
                "items": [
                    item("hold", "Asks before hold", 1, "yes_no", na_allowed=True),
                ],
            },
            {
                "name": "Compliance",
                "items": [
                    item("privacy", "Protects personal data", 4, "yes_no", critical=True),
                ],
            },
        ],
    }
)


def run(*args: str, env: dict[str, str] | None = None, config: Path | None = None):
    argv = (["--config", str(config)] if config else []) + list(args)
    return CliRunner().invoke(cli, argv, env=env, catch_exceptions=False)


@pytest.fixture
def form_file(tmp_path: Path) -> Path:
    path = tmp_path / "form.toml"
    path.write_text(FORM)
    return path


def answers_file(tmp_path: Path, answers: dict) -> Path:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"answers": answers}))
    return path


def test_score_json_output(tmp_path: Path, form_file: Path) -> None:
    # Greeting = (2*1 + 3*3/4) / 5 = 85 %; Hold N/A; Compliance 100 %
    # overall = (2 + 2.25 + 4) / 9 = 91.67 %
    answers = answers_file(tmp_path, {"greet": "yes", "tone": 3, "hold": "na", "privacy": "yes"})
    result = run("qa", "score", "--form", str(form_file), str(answers), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "score": 91.67,
        "sections": {"Greeting": 85.0, "Hold": None, "Compliance": 100.0},
        "critical_failed": [],
    }


def test_score_critical_failure(tmp_path: Path, form_file: Path) -> None:
    answers = answers_file(tmp_path, {"greet": "yes", "tone": 4, "hold": "yes", "privacy": "no"})
    result = run("qa", "score", "--form", str(form_file), str(answers), "--format", "json")
    assert json.loads(result.output) == {
        "score": 0.0,
        "sections": {"Greeting": 100.0, "Hold": 100.0, "Compliance": 0.0},
        "critical_failed": ["privacy"],
    }


def test_score_table(tmp_path: Path, form_file: Path) -> None:
    answers = answers_file(tmp_path, {"greet": "yes", "tone": 3, "hold": "na", "privacy": "yes"})
    result = run("qa", "score", "--form", str(form_file), str(answers))
    assert result.exit_code == 0
    assert "91.67" in result.output and "N/A" in result.output


@pytest.mark.parametrize(
    ("answers", "fragment"),
    [
        (
            {"greet": "yes", "tone": 3, "hold": "na", "privacy": "yes", "extra": "yes"},
            "item 'extra': unknown item",
        ),
        ({"greet": "yes", "tone": 3, "hold": "na"}, "item 'privacy': missing answer"),
        (
            {"greet": "yes", "tone": 7, "hold": "na", "privacy": "yes"},
            "item 'tone': out of range 0..4",
        ),
        (
            {"greet": "na", "tone": 3, "hold": "na", "privacy": "yes"},
            "item 'greet': N/A is not allowed",
        ),
    ],
)
def test_score_errors_name_the_item(tmp_path: Path, form_file: Path, answers, fragment) -> None:
    result = CliRunner().invoke(
        cli, ["qa", "score", "--form", str(form_file), str(answers_file(tmp_path, answers))]
    )
    assert result.exit_code == 1
    assert fragment in result.output


def test_score_bad_form_names_the_item(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(FORM.replace("weight = 3", "weight = 0"))
    result = CliRunner().invoke(
        cli, ["qa", "score", "--form", str(bad), str(answers_file(tmp_path, {}))]
    )
    assert result.exit_code == 1 and "item 'tone': weight: must be > 0" in result.output


def test_default_form_scores_through_the_command(tmp_path: Path) -> None:
    default = Path(__file__).parents[2] / "qa" / "forms" / "default.en.toml"
    form = form_from_text(default.read_text(), "toml")
    answers = {i.id: ("yes" if i.kind == "yes_no" else i.max) for i in form.items.values()}
    result = run(
        "qa",
        "score",
        "--form",
        str(default),
        str(answers_file(tmp_path, answers)),
        "--format",
        "json",
    )
    assert json.loads(result.output)["score"] == 100.0


# ---- commands on the store ----------------------------------------------------------------------

CONFIG = """
[[agents]]
id = "a1"
team = "red"

[[agents]]
id = "z9"
team = "green"

[qa]
fcr_window_days = 7

[qa.scorecard.agent]
kpis = [
  { kpi = "aht_s", target = 300, floor = 480, weight = 2 },
  { kpi = "fcr_pct", target = 80, floor = 60, weight = 1 },
  { kpi = "calls_handled", target = 2, floor = 0, weight = 1 },
  { kpi = "adherence_pct", target = 95, floor = 80, weight = 1 },
]
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "callcenter.toml"
    path.write_text(CONFIG)
    return path


def test_scorecard_table_and_csv(month: AsyncEngine, db_url: str, config: Path) -> None:
    env = {"CALLCENTER_DB_URL": db_url}
    table = run("scorecard", "--period", "2026-11", env=env, config=config)
    assert table.exit_code == 0, table.output
    lines = table.output.splitlines()
    for agent in ("a1", "a2", "b1", "z9"):  # z9: in the settings, no calls
        assert sum(1 for line in lines if line.strip("│ ").startswith(agent)) == 1
    assert "adherence: not available" not in table.output  # workforce.adherence is wired in

    out = run("scorecard", "--period", "2026-11", "--format", "csv", env=env, config=config)
    rows = {r["agent_id"]: r for r in csv.DictReader(io.StringIO(out.output))}
    assert set(rows) == {"a1", "a2", "b1", "z9"}
    a1 = rows["a1"]
    # aht 740/3 -> 100; fcr 66.67 -> 33.33; 1.5 calls/day -> 75; adherence missing
    # total = (2*100 + 33.33 + 75) / 4 = 77.08
    assert float(a1["aht_s"]) == pytest.approx(246.667) and a1["aht_s_score"] == "100.0"
    assert float(a1["fcr_pct"]) == pytest.approx(66.667) and a1["fcr_pct_score"] == "33.33"
    assert a1["calls_handled"] == "3.0" and a1["calls_handled_score"] == "75.0"
    assert a1["adherence_pct"] == "" and a1["missing"] == "adherence_pct"
    assert float(a1["total"]) == pytest.approx((200 + 100 / 3 + 75) / 4, abs=0.005)
    assert (a1["rank"], rows["a2"]["rank"], rows["b1"]["rank"]) == ("1", "2", "1")
    assert rows["z9"]["total"] == "" and rows["z9"]["team"] == "green"
    # a2: aht 312.5 -> 93.06; fcr 33.33; 1 call/day -> 50: (186.11 + 33.33 + 50)/4 = 67.36
    assert float(rows["a2"]["total"]) == pytest.approx(
        (2 * 100 * 167.5 / 180 + 100 / 3 + 50) / 4, abs=0.005
    )


def test_scorecard_bad_period(config: Path, db_url: str) -> None:
    result = CliRunner().invoke(
        cli,
        ["--config", str(config), "scorecard", "--period", "2026-13"],
        env={"CALLCENTER_DB_URL": db_url},
    )
    assert result.exit_code == 2 and "month must be 01-12" in result.output


def _count_samples(db_url: str) -> int:
    async def go() -> int:
        engine = create_engine(db_url)
        try:
            async with engine.connect() as conn:
                return (await conn.execute(select(func.count()).select_from(QaSample))).scalar_one()
        finally:
            await engine.dispose()

    return asyncio.run(go())


def test_sample_records_and_never_repeats(month: AsyncEngine, db_url: str, config: Path) -> None:
    env = {"CALLCENTER_DB_URL": db_url}

    def sample_json(*extra: str) -> list[dict]:
        args = ["qa", "sample", "--week", "2026-W45", "--per-agent", "2", "--format", "json"]
        result = run(*args, *extra, env=env, config=config)
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    # 2026-W45 (Nov 2-8): a1 c1, c2 (transfer), c3; a2 c4 (complaint).
    first = sample_json("--dry-run")
    assert _count_samples(db_url) == 0
    by_call = {s["call_id"]: s for s in first}
    assert by_call["c2"]["reasons"] == ["transfer"] and by_call["c4"]["reasons"] == ["complaint"]
    assert sum(s["agent_id"] == "a1" for s in first) == 2
    assert sample_json() == first  # seeded by the week: the same draw
    assert _count_samples(db_url) == 3
    rest = sample_json()
    assert {s["call_id"] for s in rest} == {"c1", "c3"} - set(by_call)  # only a1's last call
    table = run("qa", "sample", "--week", "2026-W45", env=env, config=config)
    assert table.exit_code == 0, table.output
    assert "all 4 handled calls are already sampled or evaluated" in table.output


def test_sample_of_an_empty_week_records_nothing(db_url: str, config: Path) -> None:
    env = {"CALLCENTER_DB_URL": db_url}
    table = run("qa", "sample", "--week", "2026-W40", env=env, config=config)
    assert table.exit_code == 0, table.output
    assert "no calls in 2026-W40" in table.output
    as_json = run("qa", "sample", "--week", "2026-W40", "--format", "json", env=env, config=config)
    assert as_json.exit_code == 0 and json.loads(as_json.output) == []
    assert _count_samples(db_url) == 0


def test_sample_rejects_a_month(db_url: str, config: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["--config", str(config), "qa", "sample", "--week", "2026-11"],
        env={"CALLCENTER_DB_URL": db_url},
    )
    assert result.exit_code == 2 and "ISO week" in result.output


async def _calibration(engine: AsyncEngine) -> int:
    now = datetime(2026, 11, 30, tzinfo=UTC)
    async with session_factory(engine)() as session, session.begin():
        fv = (await save_form(session, form_from_text(FORM, "toml"), now)).form_version_id
        cid = await create_calibration(session, form_version_id=fv, call_id="c1", now=now)
        await add_calibration_score(
            session, cid, "qa1", {"greet": "yes", "tone": 4, "hold": "na", "privacy": "yes"}, now
        )
        await add_calibration_score(
            session, cid, "qa2", {"greet": "no", "tone": 2, "hold": "na", "privacy": "yes"}, now
        )
        await set_agreed_answers(
            session, cid, {"greet": "yes", "tone": 3, "hold": "na", "privacy": "yes"}
        )
    return cid


async def test_calibration_command(engine: AsyncEngine, db_url: str, config: Path) -> None:
    cid = await _calibration(engine)
    env = {"CALLCENTER_DB_URL": db_url}
    # qa1: (2 + 3 + 4)/9 = 100; qa2: (0 + 1.5 + 4)/9 = 61.11; agreed (2 + 2.25 + 4)/9 = 91.67
    out = await asyncio.to_thread(
        run, "qa", "calibration", str(cid), "--format", "json", env=env, config=config
    )
    data = json.loads(out.output)
    assert data["scores"] == pytest.approx({"qa1": 100.0, "qa2": 550 / 9})
    assert data["max_diff"] == pytest.approx(100 - 550 / 9)
    assert data["std"] == pytest.approx((100 - 550 / 9) / 2)
    assert data["agreed_score"] == pytest.approx(825 / 9)
    devs = {d["evaluator"]: d["deviation"] for d in data["evaluators"]}
    assert devs == pytest.approx({"qa1": 100 - 825 / 9, "qa2": 550 / 9 - 825 / 9})
    items = {i["item"]: i for i in data["items"]}
    assert items["greet"]["agreement_rate"] == 0.0 and items["hold"]["agreement_rate"] == 1.0
    assert items["tone"]["std"] == pytest.approx(25.0) and items["tone"]["max_diff"] == 50.0
    table = await asyncio.to_thread(run, "qa", "calibration", str(cid), env=env, config=config)
    assert table.exit_code == 0 and "qa2" in table.output and "-30.56" in table.output
    missing = await asyncio.to_thread(run, "qa", "calibration", "999", env=env, config=config)
    assert missing.exit_code == 1 and "calibration 999 not found" in missing.output


def test_form_save_versions(db_url: str, config: Path, form_file: Path, tmp_path: Path) -> None:
    env = {"CALLCENTER_DB_URL": db_url}
    first = run("qa", "form-save", str(form_file), env=env, config=config)
    assert first.exit_code == 0 and "stored as version 1" in first.output
    again = run("qa", "form-save", str(form_file), env=env, config=config)
    assert "unchanged, still version 1" in again.output
    edited = tmp_path / "edited.toml"
    edited.write_text(FORM.replace('text = "Tone"', 'text = "Friendly tone"'))
    assert (
        "stored as version 2" in run("qa", "form-save", str(edited), env=env, config=config).output
    )
    default = run("qa", "form-save", env=env, config=config)
    assert "'Customer service' stored as version 1" in default.output
