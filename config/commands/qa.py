"""``callcenter qa …`` (sample, score, calibration) and ``callcenter scorecard``."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from config.services import open_database
from kernel.settings import Settings
from qa.calibration import CalibrationReport
from qa.errors import QaError
from qa.files import load_answers, load_form
from qa.periods import Period, parse_period
from qa.scorecard import (
    KPIS,
    Scorecard,
)
from qa.scoring import score as score_answers
from qa.service import compute_scorecards, sampling_rules, scorecards_csv
from store.db import session_factory

T = TypeVar("T")
FORMATS = click.Choice(["table", "json"])


def _console() -> Console:
    console = Console()
    return console if console.is_terminal else Console(width=200)


def _fail(exc: Exception) -> click.ClickException:
    return click.ClickException(str(exc))


def _with_engine(settings: Settings, work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    async def go() -> T:
        async with AsyncExitStack() as stack:
            engine = await open_database(settings, stack, migrate=False)
            return await work(engine)

    try:
        return asyncio.run(go())
    except QaError as exc:
        raise _fail(exc) from None


def _period(text: str, settings: Settings) -> Period:
    try:
        return parse_period(text, settings.timezone)
    except QaError as exc:
        raise click.BadParameter(str(exc)) from None


@click.group()
def qa() -> None:
    """Quality: sample calls, score evaluations, calibration reports."""


@qa.command()
@click.option(
    "--form",
    "form_path",
    required=True,
    type=click.Path(path_type=Path),
    help="Form definition (.toml or .json).",
)
@click.argument("answers_path", metavar="ANSWERS.json", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
def score(form_path: Path, answers_path: Path, fmt: str) -> None:
    """Score ANSWERS.json ({"answers": {"<item id>": "yes"|"no"|"na"|N}}) with a form."""
    try:
        form = load_form(form_path)
        result = score_answers(form, load_answers(answers_path))
    except QaError as exc:
        raise _fail(exc) from None
    out = result.to_dict()
    if fmt == "json":
        click.echo(json.dumps(out, ensure_ascii=False))
        return
    table = Table(title=f"{form.name} v{form.version}")
    table.add_column("section")
    table.add_column("score", justify="right")
    for name, value in result.sections.items():
        table.add_row(name, "N/A" if value is None else f"{value:.2f}")
    total = result.score
    table.add_row("[bold]total[/]", "N/A" if total is None else f"[bold]{total:.2f}[/]")
    console = _console()
    console.print(table)
    if result.critical_failed:
        console.print(f"[red]critical items failed:[/] {', '.join(result.critical_failed)}")


@qa.command("form-save")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.pass_context
def form_save(ctx: click.Context, path: Path | None) -> None:
    """Store a form (default: settings qa.form, else the shipped form of the centre's locale)
    as its next version."""
    from qa.files import configured_form_path
    from qa.forms_store import StoredForm, save_form

    settings: Settings = ctx.obj.settings
    source = path or configured_form_path(settings.qa.form, settings.locale)
    try:
        form = load_form(source)
    except QaError as exc:
        raise _fail(exc) from None

    async def work(engine: AsyncEngine) -> StoredForm:
        async with session_factory(engine)() as session, session.begin():
            return await save_form(session, form, datetime.now(UTC))

    stored = _with_engine(settings, work)
    state = "stored as" if stored.created else "unchanged, still"
    click.echo(
        f"form {form.name!r} {state} version {stored.form.version} "
        f"(form_version_id {stored.form_version_id})"
    )


@qa.command()
@click.option("--week", required=True, help="ISO week, e.g. 2026-W47.")
@click.option(
    "--per-agent",
    type=click.IntRange(min=0),
    default=None,
    help="Calls per agent (default: settings qa.sample_per_agent).",
)
@click.option(
    "--percent",
    type=click.FloatRange(0, 100, min_open=True),
    default=None,
    help="Share of each agent's calls, in percent (with --per-agent: the larger).",
)
@click.option(
    "--seed", default=None, help="Random seed (default: the week), for a reproducible draw."
)
@click.option("--dry-run", is_flag=True, help="Show the sample without recording it.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_context
def sample(
    ctx: click.Context,
    week: str,
    per_agent: int | None,
    percent: float | None,
    seed: str | None,
    dry_run: bool,
    fmt: str,
) -> None:
    """Choose the week's calls to evaluate and record them (never a call twice)."""
    from qa.samples_store import Draw, draw_sample

    settings: Settings = ctx.obj.settings
    period = _period(week, settings)
    if period.kind != "week":
        raise click.BadParameter(f"{week!r} is not an ISO week like 2026-W47", param_hint="--week")
    try:
        rules = sampling_rules(settings.qa, per_agent, percent)
    except QaError as exc:
        raise _fail(exc) from None

    async def work(engine: AsyncEngine) -> Draw:
        async with session_factory(engine)() as session, session.begin():
            return await draw_sample(
                session, period, rules, seed or week, datetime.now(UTC), record=not dry_run
            )

    draw = _with_engine(settings, work)
    samples = draw.samples
    if fmt == "json":
        click.echo(
            json.dumps(
                [
                    {
                        "call_id": s.call_id,
                        "agent_id": s.agent_id,
                        "reasons": list(s.reasons),
                        "stratum": list(s.stratum),
                    }
                    for s in samples
                ]
            )
        )
        return
    console = _console()
    if not samples:
        console.print(_empty_draw(week, draw.candidates))
        return
    table = Table(title=f"QA sample {week}" + (" (dry run)" if dry_run else ""))
    for col in ("agent", "call", "reasons", "stratum"):
        table.add_column(col)
    for s in samples:
        table.add_row(
            s.agent_id,
            s.call_id,
            ", ".join(s.reasons),
            " / ".join("-" if v is None else str(v) for v in s.stratum),
        )
    console.print(table)
    console.print(f"{len(samples)} calls for {len({s.agent_id for s in samples})} agents")


def _empty_draw(week: str, candidates: int) -> str:
    if not candidates:
        return f"no calls in {week}: no handled calls to sample"
    return (
        f"no new calls in {week}: all {candidates} handled calls are already sampled or evaluated"
    )


def _num(x: float | None, digits: int = 1) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def calibration_dict(report: CalibrationReport) -> dict[str, Any]:
    return {
        "scores": report.scores,
        "std": report.spread.std,
        "max_diff": report.spread.max_diff,
        "agreement_rate": report.agreement_rate,
        "agreed_score": report.agreed_score,
        "basis": report.basis,
        "items": [
            {
                "item": i.item_id,
                "values": i.values,
                "std": i.spread.std,
                "max_diff": i.spread.max_diff,
                "agreement_rate": i.agreement_rate,
                "agreed": i.agreed,
            }
            for i in report.items
        ],
        "evaluators": [
            {
                "evaluator": d.evaluator_id,
                "score": d.score,
                "deviation": d.deviation,
                "item_match_rate": d.item_match_rate,
            }
            for d in report.evaluators
        ],
    }


@qa.command()
@click.argument("calibration_id", type=int)
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_context
def calibration(ctx: click.Context, calibration_id: int, fmt: str) -> None:
    """Spread between evaluators per item and overall, and each one's deviation."""
    from qa.calibrations_store import calibration_report

    async def work(engine: AsyncEngine) -> CalibrationReport:
        async with session_factory(engine)() as session:
            return await calibration_report(session, calibration_id)

    report = _with_engine(ctx.obj.settings, work)
    if fmt == "json":
        click.echo(json.dumps(calibration_dict(report)))
        return
    evaluators = list(report.scores)
    items = Table(title=f"Calibration {calibration_id}: items")
    items.add_column("item")
    for e in evaluators:
        items.add_column(e, justify="right")
    for col in ("agreed", "std", "max diff", "agreement"):
        items.add_column(col, justify="right")
    for i in report.items:
        items.add_row(
            i.item_id,
            *(("N/A" if i.values[e] is None else _num(i.values[e], 0)) for e in evaluators),
            _num(i.agreed, 0),
            _num(i.spread.std),
            _num(i.spread.max_diff),
            "-" if i.agreement_rate is None else f"{100 * i.agreement_rate:.0f}%",
        )
    people = Table(
        title=f"Calibration {calibration_id}: evaluators (basis: {report.basis} score "
        f"{_num(report.agreed_score, 2)})"
    )
    for col in ("evaluator", "score", "deviation", "items as agreed"):
        people.add_column(col, justify="right" if col != "evaluator" else "left")
    for d in report.evaluators:
        people.add_row(
            d.evaluator_id,
            _num(d.score, 2),
            "-" if d.deviation is None else f"{d.deviation:+.2f}",
            "-" if d.item_match_rate is None else f"{100 * d.item_match_rate:.0f}%",
        )
    console = _console()
    console.print(items)
    console.print(people)
    console.print(
        f"overall: std {_num(report.spread.std, 2)}, max diff {_num(report.spread.max_diff, 2)}, "
        f"agreement {'-' if report.agreement_rate is None else f'{100 * report.agreement_rate:.0f}%'}"
    )


# ---- scorecard ---------------------------------------------------------------------------------


KPI_LABELS = {
    "calls_handled": "calls",
    "answer_rate_pct": "answ. %",
    "aht_s": "AHT s",
    "hold_s": "hold s",
    "acw_s": "ACW s",
    "qa_score": "QA",
    "adherence_pct": "adher. %",
    "fcr_pct": "FCR %",
    "transfer_rate_pct": "transf. %",
    "callback_pct": "callb. %",
    "csat_pct": "CSAT %",
}


def _ordered(cards: list[Scorecard]) -> list[Scorecard]:
    return sorted(cards, key=lambda c: (c.team or "", c.role, c.rank or 10**9, c.agent_id))


@click.command()
@click.option("--period", required=True, help="Month (2026-11) or ISO week (2026-W47).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@click.option("--team", default=None, help="Only this team.")
@click.pass_context
def scorecard(ctx: click.Context, period: str, fmt: str, team: str | None) -> None:
    """Agent KPI scorecards: each KPI's value and score, the weighted total, the rank in the team."""
    settings: Settings = ctx.obj.settings
    p = _period(period, settings)

    async def work(engine: AsyncEngine) -> tuple[list[Scorecard], bool]:
        return await compute_scorecards(engine, settings, p)

    cards, has_adherence = _with_engine(settings, work)
    if team is not None:
        cards = [c for c in cards if c.team == team]
    cards = _ordered(cards)
    if fmt == "csv":
        sys.stdout.write(scorecards_csv(cards))
        return
    if fmt == "json":
        click.echo(json.dumps([_card_dict(c) for c in cards]))
        return
    used = [k for k in KPIS if any(k in {s.kpi for s in c.kpis} for c in cards)] or list(KPIS)
    table = Table(title=f"Scorecards {p.label}", caption="value / score (0-100); - missing")
    for col in ("agent", "team", "role"):
        table.add_column(col)
    for k in used:
        table.add_column(KPI_LABELS[k], justify="right")
    table.add_column("total", justify="right")
    table.add_column("rank", justify="right")
    for card in cards:
        by_kpi = {k.kpi: k for k in card.kpis}
        cells = []
        for k in used:
            s = by_kpi.get(k)
            if s is None:
                cells.append("")
            elif s.score is None:
                cells.append("[dim]- missing[/]")
            else:
                digits = 0 if k == "calls_handled" else 1
                cells.append(f"{_num(s.value, digits)} / {s.score:.0f}")
        table.add_row(
            card.agent_id,
            card.team or "-",
            card.role,
            *cells,
            "-" if card.total is None else f"[bold]{card.total:.1f}[/]",
            "-" if card.rank is None else str(card.rank),
        )
    console = _console()
    console.print(table)
    if not has_adherence:
        console.print("adherence: not available; marked missing")


def _card_dict(card: Scorecard) -> dict[str, Any]:
    return {
        "agent_id": card.agent_id,
        "team": card.team,
        "role": card.role,
        "kpis": {
            k.kpi: {
                "value": k.value,
                "score": k.score,
                "weight": k.weight,
                "target": k.target,
                "floor": k.floor,
                "note": k.note,
            }
            for k in card.kpis
        },
        "total": card.total,
        "rank": card.rank,
        "missing": list(card.missing),
    }
