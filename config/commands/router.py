"""``callcenter router`` (run the router alone) and ``callcenter queues`` (live queue table)."""

from __future__ import annotations

import asyncio
import time

import click
import redis.asyncio as aioredis
from rich.console import Console
from rich.live import Live
from rich.table import Table

from kernel.cancellation import still_running
from kernel.settings import Settings, SettingsError
from kernel.stream_consumer import redis_unavailable
from queueing.routing import Routing
from queueing.stats import QueueStats


@click.command()
@click.option(
    "--consumer",
    default=None,
    help="This router's name in the consumer group (default: routing.consumer, else "
    "router-<hostname>); give each router on one host its own.",
)
@click.pass_context
def router(ctx: click.Context, consumer: str | None) -> None:
    """Run the skills-based router; several may run side by side (one consumer group)."""
    from config.commands.platform import serve_until_signal
    from config.logs import setup_logging

    settings: Settings = ctx.obj.settings
    if consumer:
        routing = settings.routing.model_copy(update={"consumer": consumer})
        settings = settings.model_copy(update={"routing": routing})
    setup_logging(settings, "router")
    asyncio.run(serve_until_signal(settings, ["router"]))


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{v:.0f}%"


def _secs(v: float | None) -> str:
    return "-" if v is None else f"{v:.0f}s"


def stats_table(stats: list[QueueStats]) -> Table:
    table = Table(title=f"Queues at {time.strftime('%H:%M:%S')}")
    for name in (
        "queue",
        "waiting",
        "longest",
        "ready",
        "busy",
        "wrap-up",
        "not ready",
        "offered",
        "answered",
        "abandoned",
        "SL day",
        "SL 15m",
        "SL 30m",
        "ASA",
        "EWT",
    ):
        table.add_column(name, justify="left" if name == "queue" else "right")
    for q in stats:
        day, m15, m30 = q.day, q.last_15m, q.last_30m
        assert day is not None and m15 is not None and m30 is not None
        a = q.agents
        table.add_row(
            q.queue_id,
            str(q.waiting),
            _secs(q.longest_wait_s),
            str(a.get("ready", 0)),
            str(a.get("on_call", 0) + a.get("offered", 0)),
            str(a.get("wrap_up", 0)),
            str(a.get("not_ready", 0)),
            str(day.offered),
            str(day.answered),
            str(day.abandoned),
            _pct(day.service_level_pct),
            _pct(m15.service_level_pct),
            _pct(m30.service_level_pct),
            _secs(day.asa_s),
            _secs(q.expected_wait_s),
        )
    return table


def _redis_url(settings: Settings) -> str:
    if settings.redis_url:
        return settings.redis_url
    if settings.redis_socket.exists():
        return f"unix://{settings.redis_socket.resolve()}"
    raise SettingsError(
        "redis_url", None, "not set and no embedded Redis is running (callcenter serve)"
    )


async def _show(settings: Settings, watch: bool, interval_s: float) -> None:
    client = aioredis.from_url(_redis_url(settings), decode_responses=True)
    try:
        routing = Routing(client, settings)
        await routing.setup()
        console = Console()
        if not watch:
            console.print(stats_table(await routing.read_stats()))
            return
        with Live(stats_table(await routing.read_stats()), console=console) as live:
            while True:
                await asyncio.sleep(interval_s)
                try:
                    live.update(stats_table(await routing.read_stats()))
                except Exception as exc:
                    still_running()
                    if not redis_unavailable(exc):
                        raise
                    live.update(f"[red]Redis unavailable ({exc}); trying again[/]")
                still_running()
    finally:
        await client.aclose()


@click.command()
@click.option("--watch", is_flag=True, help="Refresh until Ctrl-C.")
@click.option(
    "--interval", "interval_s", default=2.0, show_default=True, help="Seconds between refreshes."
)
@click.pass_context
def queues(ctx: click.Context, watch: bool, interval_s: float) -> None:
    """Live statistics of every queue (waiting, longest wait, agents, service level, ASA)."""
    settings: Settings = ctx.obj.settings
    try:
        asyncio.run(_show(settings, watch, interval_s))
    except KeyboardInterrupt:
        pass
