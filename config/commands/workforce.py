"""``callcenter forecast | staffing | roster | adherence``: the planners' commands.

Thin edges over the pure modules: read files, call the maths, print with rich or as JSON/CSV.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import click
import pandas as pd
from rich.console import Console
from rich.table import Table

from kernel.files import read_text
from kernel.keys import whatif_prefix
from workforce.errors import WorkforceError
from workforce.formats import read_history_csv
from workforce.roster import RosterRules
from workforce.staffing import (
    Target,
    interval_length_s,
    parse_duration_s,
    parse_target,
    staffing_table,
)


def _fail(exc: Exception) -> click.ClickException:
    return click.ClickException(str(exc))


def _json_value(v: Any) -> Any:
    if isinstance(v, pd.Timestamp):
        return v.isoformat()
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for idx, row in df.iterrows():
        rec = {k: _json_value(v) for k, v in row.items()}
        if isinstance(idx, pd.Timestamp):
            rec = {"interval_start": idx.isoformat(), **rec}
        for key in ("agents", "scheduled_agents"):
            if key in rec and rec[key] is not None:
                rec[key] = int(rec[key])
        out.append(rec)
    return out


def _print_table(df: pd.DataFrame, title: str) -> None:
    table = Table(title=title)
    if len(df) == 1 and not isinstance(df.index, pd.DatetimeIndex):
        table.add_column("measure")
        table.add_column("value", justify="right")
        for col, v in df.iloc[0].items():
            table.add_row(str(col), f"{v:.6g}")
        Console().print(table)
        return
    show_index = isinstance(df.index, pd.DatetimeIndex)
    if show_index:
        table.add_column("interval_start")
    for col in df.columns:
        table.add_column(col, justify="right")
    for idx, row in df.iterrows():
        cells = [idx.isoformat()] if show_index else []
        for col, v in row.items():
            if col in ("agents", "scheduled_agents", "calls"):
                cells.append(f"{v:g}")
            elif isinstance(v, float):
                cells.append(f"{v:.4f}" if abs(v) < 10 else f"{v:.1f}")
            else:
                cells.append(str(v))
        table.add_row(*cells)
    Console().print(table)


def _file_option(
    flag: str, dest: str, help: str, *, required: bool = True, output: bool = False
) -> Any:
    """A file path option. Files read go through ``kernel.files.read_text`` (a directory, a
    binary or non-UTF-8 file is one line naming it); a file written must not be a directory."""
    return click.option(
        flag,
        dest,
        required=required,
        type=click.Path(path_type=Path, dir_okay=not output),
        help=help,
    )


@click.command()
@click.option("--calls", type=float, help="Offered calls in the interval (single interval).")
@click.option("--aht", "aht_s", type=float, help="Average handle time, seconds.")
@click.option(
    "--interval",
    "interval",
    default="30m",
    show_default=True,
    help="Interval length (15m, 30m, 1h); inferred from --input when it has 2+ rows.",
)
@_file_option(
    "--input", "input_path", "CSV interval_start,calls,aht_s (many intervals).", required=False
)
@click.option(
    "--target",
    default="80/20",
    show_default=True,
    help="Service level: PERCENT answered within SECONDS.",
)
@click.option("--asa", "asa_s", type=float, help="Also require an average speed of answer <= this.")
@click.option("--max-occupancy", type=float, default=1.0, show_default=True)
@click.option("--shrinkage", type=float, default=None, help="Fraction off the phones, e.g. 0.3.")
@click.option(
    "--model", type=click.Choice(["erlang_c", "erlang_a"]), default="erlang_c", show_default=True
)
@click.option("--patience", "patience_s", type=float, help="Erlang A: callers' mean patience, s.")
@click.option("--max-abandon", type=float, help="Erlang A: maximum abandon rate, e.g. 0.05.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
def staffing(
    calls: float | None,
    aht_s: float | None,
    interval: str,
    input_path: Path | None,
    target: str,
    asa_s: float | None,
    max_occupancy: float,
    shrinkage: float | None,
    model: str,
    patience_s: float | None,
    max_abandon: float | None,
    fmt: str,
) -> None:
    """Agents needed per interval (Erlang C, or Erlang A with --patience) for a target."""
    try:
        sl, within_s = parse_target(target)
        tgt = Target(
            service_level=sl,
            answer_within_s=within_s,
            asa_s=asa_s,
            max_occupancy=max_occupancy,
            max_abandon_rate=max_abandon,
        )
        interval_s = parse_duration_s(interval)
        if input_path is not None:
            hist = read_history_csv(read_text(input_path), str(input_path))
            if len(hist) >= 2:
                interval_s = interval_length_s(hist.index)
            c, aht, index = hist["calls"].to_numpy(), hist["aht_s"].fillna(0).to_numpy(), hist.index
        elif calls is not None and aht_s is not None:
            c, aht, index = [calls], [aht_s], None
        else:
            raise click.UsageError("give --calls and --aht, or --input CSV")
        df = staffing_table(
            c,
            aht,
            interval_s,
            tgt,
            shrinkage=shrinkage or 0.0,
            model="erlang_a" if model == "erlang_a" else "erlang_c",
            patience_s=patience_s,
            index=index,
        )
    except WorkforceError as exc:
        raise _fail(exc) from None
    if shrinkage is None:
        df = df.drop(columns=["scheduled_agents"])
    if fmt == "json":
        recs = _records(df)
        click.echo(json.dumps(recs[0] if input_path is None else recs))
    elif fmt == "csv":
        # ``required`` (agents to schedule, or on the phones without --shrinkage) makes this
        # file valid ``roster --requirements`` input
        df.insert(0, "required", df["scheduled_agents" if shrinkage is not None else "agents"])
        df.to_csv(sys.stdout, float_format="%.6g", index=input_path is not None)
    else:
        _print_table(df, f"Staffing ({model}, target {target}, interval {interval_s // 60} min)")


def _rules(start_step_min: int, shift_lengths: str) -> RosterRules:
    try:
        lengths = tuple(float(x) for x in shift_lengths.split(",") if x.strip())
    except ValueError:
        raise click.BadParameter(
            f"not numbers: {shift_lengths!r}", param_hint="--shift-lengths"
        ) from None
    return RosterRules(shift_lengths_h=lengths, start_step_min=start_step_min)


@click.command()
@_file_option("--requirements", "req_path", "CSV interval_start,required")
@_file_option("--agents", "agents_path", "CSV of agents (see README)")
@_file_option("--out", "out_path", "Roster CSV to write (agent_id,activity,start,end)", output=True)
@click.option("--time-limit", "time_limit_s", type=float, default=60.0, show_default=True)
@click.option(
    "--start-step",
    "start_step_min",
    type=int,
    default=30,
    show_default=True,
    help="Shift starts every N minutes.",
)
@click.option(
    "--shift-lengths", default="4,6,8,9", show_default=True, help="Hours, comma-separated."
)
@click.option("--save/--no-save", default=False, help="Also store the roster in the database.")
@click.option("--publish", is_flag=True, help="With --save: publish it to agents and supervisors.")
@click.pass_context
def roster(
    ctx: click.Context,
    req_path: Path,
    agents_path: Path,
    out_path: Path,
    time_limit_s: float,
    start_step_min: int,
    shift_lengths: str,
    save: bool,
    publish: bool,
) -> None:
    """Weekly shift roster with breaks from requirements and agents (MILP, HiGHS). Exits 1
    (after writing the roster) when the roster cannot meet the requirement, listing the
    shortfall per interval and in agent-hours."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from workforce.formats import read_agents_csv, read_requirements_csv, write_roster_csv
    from workforce.roster import build_problem
    from workforce.roster_solver import Progress as SolveProgress
    from workforce.roster_solver import RosterSolve
    from workforce.shortfall import shortfall, solver_figures

    try:
        req = read_requirements_csv(read_text(req_path), str(req_path))
        agents = read_agents_csv(read_text(agents_path), str(agents_path))
        problem = build_problem(req, agents, _rules(start_step_min, shift_lengths))
    except WorkforceError as exc:
        raise _fail(exc) from None
    console = Console(stderr=True)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[info]}"),
        console=console,
        transient=False,
    ) as bar:
        # the bar is the closed share of the gap (1 - gap), never the time spent; until a
        # bound is proven it pulses (total None)
        task = bar.add_task("solving", total=None, info="no bound proven yet")

        def on_progress(p: SolveProgress) -> None:
            f = solver_figures(p.best_bound, p.best_objective)
            info = f"{p.stage}: best {_opt(f.best)}, bound {_opt(f.bound, 'not proven yet')}"
            info += "" if f.gap is None else f", gap {f.gap:.1%}"
            if f.done_fraction is None:
                bar.update(task, info=info)
            else:
                bar.update(task, total=1.0, completed=f.done_fraction, info=info)

        try:
            result = RosterSolve(problem, time_limit_s).run(on_progress=on_progress)
        except WorkforceError as exc:
            raise _fail(exc) from None
    if result is None:
        raise click.ClickException("cancelled")
    out_path.write_text(write_roster_csv(result.roster), encoding="utf-8")
    shown = solver_figures(result.lower_bound, result.objective)
    gap = "unknown" if shown.gap is None else f"{shown.gap:.1%}"
    console.print(
        f"roster: {result.roster['agent_id'].nunique()} agents, "
        f"{int((result.roster['activity'] == 'shift').sum())} shifts -> {out_path}\n"
        f"under-staffing {result.under_staffing:g} and over-staffing {result.over_staffing:g} "
        f"agent-intervals; objective {result.objective:g}, lower bound "
        f"{_opt(shown.bound, 'not proven')}, gap {gap}; unfilled shifts "
        f"{result.unfilled_shifts}; {result.status}"
    )
    sf = shortfall(req, result.coverage, problem.slot_min)
    if not sf.met:
        _print_shortfall(console, sf, agents)
    if save:
        import asyncio

        from store.db import create_engine
        from workforce.service import save_solved_roster

        settings = ctx.obj.settings

        async def _save() -> int:
            engine = create_engine(settings.effective_db_url)
            try:
                return await save_solved_roster(
                    engine,
                    result,
                    name=out_path.stem,
                    requirements_index=pd.DatetimeIndex(req.index),
                    published=publish,
                )
            finally:
                await engine.dispose()

        console.print(f"stored as roster {asyncio.run(_save())}")
    if not sf.met:
        ctx.exit(1)  # the roster cannot meet the requirement: scripts must notice


def _opt(v: float | None, missing: str = "-") -> str:
    return missing if v is None else f"{v:g}"


def _print_shortfall(console: Console, sf: Any, agents: list[Any]) -> None:
    """The intervals short of the requirement (the worst first) and the sentence saying why."""
    from workforce.shortfall import explain

    table = Table(title=f"Short of the requirement: {sf.agent_h:.1f} agent-hours")
    for col in ("interval_start", "required", "on the phones", "short"):
        table.add_column(col, justify="left" if col == "interval_start" else "right")
    worst = sf.worst(SHOWN_SHORT)
    for x in sorted(worst, key=lambda x: x.start):
        table.add_row(x.start.isoformat(), f"{x.required:g}", f"{x.covered:.2f}", f"{x.short:.2f}")
    console.print(table)
    if len(sf.intervals) > len(worst):
        console.print(f"... and {len(sf.intervals) - len(worst)} more intervals short")
    console.print(explain(sf, len(agents), max(a.weekly_hours_max for a in agents)))


SHOWN_SHORT = 30  # intervals listed by ``roster`` when short, the worst first


@click.command()
@_file_option("--input", "input_path", "History CSV interval_start,calls,aht_s")
@click.option(
    "--week-start",
    "week_start",
    default=None,
    metavar="YYYY-MM-DD",
    help="Any day of the week to forecast (its Monday is used); default: next week from today, "
    "in the centre's time zone (settings.timezone).",
)
@click.option("--days", type=int, default=7, show_default=True)
@click.option(
    "--alpha", type=float, default=0.3, show_default=True, help="Weight of the newest week."
)
@click.option(
    "--override",
    "overrides",
    multiple=True,
    metavar="YYYY-MM-DD=FACTOR",
    help="Scale a day's calls (0 for a holiday); repeatable.",
)
@_file_option(
    "--out",
    "out_path",
    "Write the forecast CSV here (default: stdout).",
    required=False,
    output=True,
)
@click.pass_context
def forecast(
    ctx: click.Context,
    input_path: Path,
    week_start: str | None,
    days: int,
    alpha: float,
    overrides: tuple[str, ...],
    out_path: Path | None,
) -> None:
    """Calls and AHT per interval for the days from the chosen week's Monday, with the error
    on a held-out week."""
    from datetime import UTC, date, datetime
    from zoneinfo import ZoneInfo

    from workforce.forecast import forecast_calls, holdout_error
    from workforce.formats import write_history_csv
    from workforce.planner import local_midnight, target_week

    tz = ctx.obj.settings.timezone
    try:
        chosen = None if week_start is None else date.fromisoformat(week_start)
    except ValueError:
        raise click.BadParameter(
            f"expected YYYY-MM-DD, got {week_start!r}", param_hint="--week-start"
        ) from None
    start = local_midnight(
        target_week(datetime.now(UTC).astimezone(ZoneInfo(tz)).date(), chosen), tz
    )

    parsed: dict[date, float] = {}
    for item in overrides:
        day, _, factor = item.partition("=")
        try:
            parsed[date.fromisoformat(day)] = float(factor)
        except ValueError:
            raise click.BadParameter(
                f"expected YYYY-MM-DD=FACTOR, got {item!r}", param_hint="--override"
            ) from None
    try:
        hist = read_history_csv(read_text(input_path), str(input_path))
        fc = forecast_calls(hist, days, alpha=alpha, overrides=parsed, start=start)
        err = holdout_error(hist, alpha=alpha)
    except WorkforceError as exc:
        raise _fail(exc) from None
    text = write_history_csv(fc)
    if out_path is None:
        click.echo(text, nl=False)
    else:
        out_path.write_text(text, encoding="utf-8")
    if err is None:
        click.echo("held-out error: needs two complete weeks of history", err=True)
    else:
        click.echo(
            f"held-out week from {err.holdout_start.isoformat()}: MAPE {err.mape:.1%}, "
            f"WAPE {err.wape:.1%}",
            err=True,
        )


@click.command()
@click.option("--date", "day", required=True, help="YYYY-MM-DD (in --tz).")
@click.option(
    "--tz", default=None, help="UTC offset or zone of the day, default settings.timezone."
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_context
def adherence(ctx: click.Context, day: str, tz: str | None, fmt: str) -> None:
    """Per agent: scheduled vs logged-in time, adherence and occupancy for one day."""
    import asyncio

    from store.db import create_engine
    from workforce.service import day_adherence
    from workforce.store_io import utc_now

    settings = ctx.obj.settings
    try:
        start = pd.Timestamp(day).tz_localize(tz or settings.timezone)
    except (ValueError, TypeError) as exc:
        raise click.BadParameter(str(exc), param_hint="--date/--tz") from None

    async def _read() -> pd.DataFrame:
        engine = create_engine(settings.effective_db_url)
        try:
            return await day_adherence(engine, start.to_pydatetime(), utc_now())
        finally:
            await engine.dispose()

    df = asyncio.run(_read())
    if fmt == "json":
        click.echo(
            json.dumps(
                [
                    {"agent_id": i, **{k: _json_value(v) for k, v in r.items()}}
                    for i, r in df.iterrows()
                ]
            )
        )
    else:
        _print_table(df.reset_index(), f"Adherence {day}")


def _fmt(v: float, kind: str) -> str:
    if math.isnan(v):
        return "-"
    if math.isinf(v):
        return "inf"
    if kind == "pct":
        return "100%" if v >= 0.9995 else f"{100 * v:.1f}%"
    if kind == "s":
        return f"{v:.1f}"
    return f"{v:g}" if float(v).is_integer() else f"{v:.1f}"


WHATIF_VIEW = [  # (column, header, kind); json and csv have every column
    ("calls", "calls", "n"),
    ("sim_offered", "calls\nsim", "n"),
    ("agents", "agents", "n"),
    ("sl_erlang_c", "SL\nC", "pct"),
    ("sl_erlang_a", "SL\nA", "pct"),
    ("sl_sim", "SL\nsim", "pct"),
    ("asa_erlang_c_s", "ASA\nC", "s"),
    ("asa_sim_s", "ASA\nsim", "s"),
    ("abandon_erlang_a", "aband.\nA", "pct"),
    ("abandon_sim", "aband.\nsim", "pct"),
    ("sl_erlang_a_realised", "SL\nA*", "pct"),
]


def whatif_table(res: Any, tz: Any) -> Table:
    """The comparison as a rich table: one row per interval (local time) and one for the period."""
    from rich import box

    cmp = res.comparison
    starts = [pd.Timestamp(i).tz_convert(tz) for i in cmp.index]
    days = sorted({t.date() for t in starts})
    same_day = len(days) == 1
    title = (
        f"What-if {days[0].isoformat() + ' ' if same_day else ''}queue {res.queue_id}, "
        f"{res.speed:g}x: SL = answered within {res.answer_within_s} s / offered"
    )
    table = Table(
        title=title,
        box=box.MINIMAL_HEAVY_HEAD,
        padding=0,
        show_edge=False,
        caption="C, A: Erlang C, Erlang A for the forecast; sim: simulated; "
        "A*: Erlang A for the simulated calls and AHT; ASA in seconds",
    )
    table.add_column("time" if same_day else "interval")
    for _, header, _ in WHATIF_VIEW:
        table.add_column(header, justify="right")
    for t, (_, row) in zip(starts, cmp.iterrows(), strict=True):
        table.add_row(
            t.strftime("%H:%M" if same_day else "%m-%d %H:%M"),
            *[_fmt(row[col], kind) for col, _, kind in WHATIF_VIEW],
        )
    s = res.summary
    table.add_section()
    table.add_row("all", *[_fmt(s[col], kind) if col in s else "" for col, _, kind in WHATIF_VIEW])
    return table


@click.command()
@_file_option("--forecast", "forecast_path", "CSV interval_start,calls,aht_s")
@_file_option("--roster", "roster_path", "CSV agent_id,activity,start,end")
@click.option(
    "--speed",
    type=click.FloatRange(min=1.0, max=1000.0),
    default=60.0,
    show_default=True,
    help="Simulated seconds per wall second.",
)
@click.option(
    "--queue",
    "queue_id",
    default=None,
    help="Queue whose target and skills apply (default: the first configured).",
)
@click.option(
    "--patience",
    "patience_s",
    type=click.FloatRange(min=0.0),
    default=120.0,
    show_default=True,
    help="Callers' mean patience, s (0: they never hang up).",
)
@click.option(
    "--wrap",
    "wrap_s",
    type=click.IntRange(0, 3600),
    default=10,
    show_default=True,
    help="Wrap-up after each call, s (part of the AHT).",
)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@click.pass_context
def whatif(
    ctx: click.Context,
    forecast_path: Path,
    roster_path: Path,
    speed: float,
    queue_id: str | None,
    patience_s: float,
    wrap_s: int,
    seed: int,
    fmt: str,
) -> None:
    """Run a roster against a forecast through the simulated PBX and the real router; compare
    the simulated service level, ASA and abandon rate with Erlang C and Erlang A per interval."""
    import asyncio
    import logging
    import tempfile
    import uuid

    import redis.asyncio as aioredis
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from config.whatif import WhatIfOptions, run_whatif
    from workforce.formats import read_roster_csv

    settings = ctx.obj.settings
    try:
        fc = read_history_csv(read_text(forecast_path), str(forecast_path))
        roster_df = read_roster_csv(read_text(roster_path), str(roster_path))
    except WorkforceError as exc:
        raise _fail(exc) from None
    opts = WhatIfOptions(
        queue_id=queue_id, speed=speed, patience_s=patience_s or None, wrap_s=wrap_s, seed=seed
    )
    logging.getLogger("telephony").setLevel(logging.ERROR)  # abandoned callers are expected
    console = Console(stderr=True)
    with tempfile.TemporaryDirectory(prefix="callcenter-whatif-") as tmp:
        # A run of its own: unique Redis prefix, throwaway SQLite (and Redis when embedded).
        prefix = whatif_prefix(settings.redis_prefix, uuid.uuid4().hex[:8])
        update: dict[str, Any] = {
            "redis_prefix": prefix,
            "db_url": f"sqlite:///{tmp}/whatif.sqlite3",
        }
        if not settings.redis_url:
            update["var_dir"] = Path(tmp)
        run_settings = settings.model_copy(update=update)

        async def go() -> Any:
            with Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            ) as bar:
                task = bar.add_task("simulating", total=1.0)
                try:
                    return await run_whatif(
                        run_settings,
                        fc,
                        roster_df,
                        opts,
                        on_progress=lambda done, phase: bar.update(
                            task, completed=done, description=phase
                        ),
                    )
                finally:
                    if settings.redis_url:
                        client = aioredis.from_url(settings.redis_url, decode_responses=True)
                        try:
                            keys = [k async for k in client.scan_iter(match=f"{prefix}*")]
                            for i in range(0, len(keys), 500):
                                await client.delete(*keys[i : i + 500])
                        finally:
                            await client.aclose()

        try:
            res = asyncio.run(go())
        except WorkforceError as exc:
            raise _fail(exc) from None
    cmp = res.comparison
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "queue": res.queue_id,
                    "speed": res.speed,
                    "interval_min": res.interval_s // 60,
                    "answer_within_s": res.answer_within_s,
                    "patience_s": opts.patience_s,
                    "planned_calls": res.planned_calls,
                    "adherence": res.adherence,
                    "late_steps": res.late_steps,
                    "wall_s": round(res.wall_s, 2),
                    "summary": {k: _json_value(v) for k, v in res.summary.items()},
                    "intervals": [
                        {
                            "interval_start": pd.Timestamp(i).isoformat(),
                            **{k: _json_value(v) for k, v in row.items()},
                        }
                        for i, row in cmp.iterrows()
                    ],
                }
            )
        )
        return
    if fmt == "csv":
        cmp.to_csv(sys.stdout, float_format="%.6g")
        return
    Console().print(whatif_table(res, pd.DatetimeIndex(fc.index).tz))
    adherence_text = "-" if res.adherence is None else f"{100 * res.adherence:.1f}%"
    Console().print(
        f"{res.planned_calls} calls simulated in {res.wall_s:.1f} s; roster adherence "
        f"{adherence_text}; {res.late_steps} roster steps waited for a call to end"
    )
