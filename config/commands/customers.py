"""``callcenter customers | complaints | outbound``: customer work from the command line.

Thin edges over ``customers``, ``complaints`` and ``outbound``: open the
database (and Redis where the caller index is kept), call the service, print with rich.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import click
import redis.asyncio as aioredis
from rich.console import Console
from rich.live import Live
from rich.table import Table

from complaints.lifecycle import ComplaintConfig
from complaints.tickets import list_complaints
from config.services import open_database, open_redis
from customers.caller_index import rebuild_caller_index
from customers.records_store import import_customers_csv
from kernel.cancellation import still_running
from kernel.files import read_csv_text
from kernel.settings import Settings
from kernel.vocabulary import TASK_STATUSES
from outbound.tasks import QUEUE_SOURCE, OutboundConfig
from outbound.tasks_store import import_sales_csv, list_tasks

console = Console()
T = TypeVar("T")


def _now() -> datetime:
    return datetime.now(UTC)


def _local(dt: datetime | None, tz: ZoneInfo) -> str:
    return dt.astimezone(tz).strftime("%Y-%m-%d %H:%M") if dt else ""


@click.group()
def customers() -> None:
    """Customer records: import from CSV, rebuild the caller lookup."""


def _with_store(settings: Settings, work: Callable[[Any, aioredis.Redis], Awaitable[T]]) -> T:
    """Run ``work(engine, redis)`` with the database and Redis open, then close both."""

    async def go() -> T:
        async with AsyncExitStack() as stack:
            engine = await open_database(settings, stack, migrate=False)
            redis, _, _ = await open_redis(settings, stack)
            return await work(engine, redis)

    return asyncio.run(go())


def _print_bad_rows(rows: list[tuple[int | None, str, object, str]]) -> None:
    """Rows not imported: (line, column, value, problem)."""
    table = Table(title=f"{len(rows)} bad rows (not imported)")
    for col in ("line", "column", "value", "problem"):
        table.add_column(col)
    for line, field, value, message in rows:
        table.add_row(str(line), field, "" if value is None else str(value), message)
    console.print(table)


@customers.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.pass_context
def import_(ctx: click.Context, file: Path) -> None:
    """Import customers from a CSV file (good rows in one transaction; bad rows listed by line
    and column). Columns: customer_id, name, phones (';'-separated), tier, email,
    account_manager, do_not_call, call_from, call_until, call_days, timezone, notes.
    Exit code 1 when some rows were bad."""
    settings: Settings = ctx.obj.settings
    data = read_csv_text(file)
    report = _with_store(
        settings,
        lambda engine, redis: import_customers_csv(
            engine,
            data,
            region=settings.default_region,
            default_tz=settings.timezone,
            now=_now(),
            redis=redis,
            prefix=settings.redis_prefix,
        ),
    )
    if report.errors:
        _print_bad_rows([(e.line, e.field, e.value, e.message) for e in report.errors])
    console.print(f"[green]{report.imported} customers imported[/] from {file}")
    if report.errors:
        sys.exit(1)


@customers.command("import-sales")
@click.argument("file", type=click.Path(path_type=Path))
@click.pass_context
def import_sales(ctx: click.Context, file: Path) -> None:
    """Import sales from a CSV file (sale_id, customer_id, sold_at as ISO 8601 with offset,
    product, amount, agent_id); each sale gets a return visit. Exit code 1 when rows were bad."""
    settings: Settings = ctx.obj.settings
    data = read_csv_text(file)
    report = _with_store(
        settings,
        lambda engine, redis: import_sales_csv(
            engine,
            data,
            now=_now(),
            config=OutboundConfig.from_settings(settings),
            redis=redis,
            prefix=settings.redis_prefix,
        ),
    )
    if report.errors:
        _print_bad_rows([(line, e.field, e.value, e.message) for line, e in report.errors])
    console.print(
        f"[green]{report.imported} sales imported[/], {report.return_visits} return visits scheduled"
    )
    if report.errors:
        sys.exit(1)


@customers.command("sync-index")
@click.pass_context
def sync_index(ctx: click.Context) -> None:
    """Rebuild the caller lookup (Redis) from the database."""
    settings: Settings = ctx.obj.settings
    count = _with_store(
        settings, lambda engine, redis: rebuild_caller_index(engine, redis, settings.redis_prefix)
    )
    console.print(f"{count} numbers in the caller lookup")


@click.command()
@click.option("--overdue", is_flag=True, help="Only tickets with a deadline passed unmet.")
@click.pass_context
def complaints(ctx: click.Context, overdue: bool) -> None:
    """Complaint tickets with their deadlines (local time)."""
    settings: Settings = ctx.obj.settings
    config = ComplaintConfig.from_settings(settings)
    tz = ZoneInfo(settings.complaints.timezone or settings.timezone)
    now = _now()

    async def go() -> list[dict[str, Any]]:
        async with AsyncExitStack() as stack:
            engine = await open_database(settings, stack, migrate=False)
            return await list_complaints(engine, now=now, config=config, overdue_only=overdue)

    rows = asyncio.run(go())
    table = Table(title=f"{len(rows)} {'overdue ' if overdue else ''}complaints")
    for col in (
        "id",
        "status",
        "category",
        "severity",
        "customer",
        "opened",
        "ack due",
        "resolve due",
        "overdue",
    ):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r["complaint_id"],
            r["status"],
            r["category"],
            r["severity"],
            r["customer_id"] or "",
            _local(r["opened_at"], tz),
            _local(r["state"].acknowledge_due_at, tz),
            _local(r["state"].resolve_due_at, tz),
            ", ".join(r["overdue"]) and f"[red]{', '.join(r['overdue'])}[/]",
        )
    console.print(table)


def _task_table(tasks: list[dict[str, Any]], tz: ZoneInfo) -> Table:
    counts = {s: sum(1 for t in tasks if t["status"] == s) for s in TASK_STATUSES}
    title = "outbound tasks: " + ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    table = Table(title=title)
    for col in (
        "task",
        "kind",
        "customer",
        "status",
        "due",
        "deadline",
        "tries",
        "last",
        "outcome",
    ):
        table.add_column(col)
    for t in tasks:
        table.add_row(
            t["task_id"],
            "callback (in line)" if t.get("source") == QUEUE_SOURCE else t["kind"],
            t["customer_id"] or "",
            t["status"],
            _local(t["due_at"], tz),
            _local(t["deadline_at"], tz),
            f"{t['attempts']}/{t['max_attempts']}",
            t["last_outcome"] or "",
            t["outcome"] or "",
        )
    return table


@click.command()
@click.option("--watch", is_flag=True, help="Refresh every 2 s until interrupted.")
@click.option("--status", "statuses", multiple=True, type=click.Choice(TASK_STATUSES))
@click.option("--limit", default=50, show_default=True)
@click.pass_context
def outbound(ctx: click.Context, watch: bool, statuses: tuple[str, ...], limit: int) -> None:
    """Return visits and callbacks with their state, due time and outcome."""
    settings: Settings = ctx.obj.settings
    tz = ZoneInfo(settings.timezone)

    async def go() -> None:
        async with AsyncExitStack() as stack:
            engine = await open_database(settings, stack, migrate=False)
            tasks = await list_tasks(engine, statuses=statuses or None, limit=limit)
            if not watch:
                console.print(_task_table(tasks, tz))
                return
            with Live(_task_table(tasks, tz), console=console, refresh_per_second=1) as live:
                while True:
                    await asyncio.sleep(2)
                    tasks = await list_tasks(engine, statuses=statuses or None, limit=limit)
                    live.update(_task_table(tasks, tz))
                    still_running()

    try:
        asyncio.run(go())
    except KeyboardInterrupt:
        pass
