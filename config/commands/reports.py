"""``callcenter report intervals|queues|agents|dispositions``: a historical report over days of
the centre's time zone, as a table, CSV or XLSX (``reports.export``)."""

from __future__ import annotations

import asyncio
import sys
from contextlib import AsyncExitStack
from datetime import date
from pathlib import Path
from typing import TextIO

import click
import pandas as pd
from rich.console import Console
from rich.table import Table

from config.services import open_database
from kernel.settings import Settings
from reports.export import to_csv, to_table_rows, to_xlsx
from reports.service import KINDS, ReportError, ReportRequest, build_report


def _day(ctx: click.Context, param: click.Parameter, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


async def _build(settings: Settings, request: ReportRequest) -> pd.DataFrame:
    async with AsyncExitStack() as stack:
        engine = await open_database(settings, stack, migrate=False)
        return await build_report(engine, request, settings.queues)  # type: ignore[arg-type]


def _table(df: pd.DataFrame, title: str, file: TextIO | None) -> None:
    console = Console(file=file)
    if file is not None or not console.is_terminal:
        console = Console(file=file, width=max(120, 14 * len(df.columns)))
    table = Table(title=title)
    for col in df.columns:
        table.add_column(col, justify="left" if df[col].dtype == object else "right")
    for row in to_table_rows(df):
        table.add_row(*row)
    console.print(table)


@click.command()
@click.argument("kind", type=click.Choice(KINDS))
@click.option("--from", "from_day", required=True, callback=_day, help="First day, YYYY-MM-DD.")
@click.option("--to", "to_day", required=True, callback=_day, help="Last day (inclusive).")
@click.option(
    "--interval-min",
    type=click.Choice(["15", "30", "60"]),
    default="15",
    show_default=True,
    help="Interval length (intervals report).",
)
@click.option("--queue", "queues", multiple=True, help="A queue id (repeat for more); default all.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "xlsx"]),
    default="table",
    show_default=True,
)
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Write to this file.")
@click.pass_context
def report(
    ctx: click.Context,
    kind: str,
    from_day: date,
    to_day: date,
    interval_min: str,
    queues: tuple[str, ...],
    fmt: str,
    out: Path | None,
) -> None:
    """A historical report over days of the centre's time zone (--to inclusive).

    KIND: intervals (per interval and queue), queues, agents (time per state and not-ready
    reason, occupancy, calls, AHT) or dispositions. Columns are the machine names the README
    defines; interval starts are ISO 8601 with the centre's offset.
    """
    if fmt == "xlsx" and out is None:
        raise click.UsageError("--format xlsx needs --out FILE")
    settings = ctx.obj.settings
    try:
        request = ReportRequest(
            kind,  # type: ignore[arg-type]
            from_day,
            to_day,
            settings.timezone,
            interval_min=int(interval_min),
            queues=queues,
        )
        df = asyncio.run(_build(settings, request))
    except ReportError as exc:
        hint = f"--{exc.field.replace('_', '-')}"
        raise click.BadParameter(exc.message, param_hint=hint) from None
    if fmt == "xlsx":
        assert out is not None
        out.write_bytes(to_xlsx(df, kind))
    elif fmt == "csv":
        text = to_csv(df)
        if out is None:
            sys.stdout.write(text)
        else:
            out.write_text(text, encoding="utf-8")
    else:
        title = f"{kind} {from_day} – {to_day} ({settings.timezone})"
        if out is None:
            _table(df, title, None)
        else:
            with out.open("w", encoding="utf-8") as f:
                _table(df, title, f)
