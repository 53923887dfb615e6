"""``callcenter demo``: the whole platform in one process with embedded defaults.

The PBX simulator (a realistic day: three queues, key-account and VIP callers, abandonment),
the AMI bridge talking to it over TCP, the router, the store writer, the outbound scheduler
(return visits), the complaint watch and the web; seeded users, customers, a published roster
and some sales to call back; simulated agents taking calls while a few are left for people.
``start_demo`` is the start-up function (the test drives it); the command wraps it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import click
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from complaints.lifecycle import ComplaintConfig
from complaints.tickets import open_complaint
from config.demo_agents import run_simulated_agents
from config.demo_data import (
    DEMO_COMPLAINTS,
    DEMO_PASSWORD,
    HUMAN_AGENTS,
    SIMULATED_AGENTS,
    demo_customers,
    demo_roster,
    demo_scenario,
    demo_settings_overrides,
    demo_users,
)
from config.logs import setup_logging
from config.pieces import supervised
from config.services import open_runtime
from config.stopping import cancel_on_signals
from customers.records import CustomerRecord
from customers.records_store import save_customer
from kernel.runtime import Runtime
from kernel.settings import Settings, SettingsError
from outbound.tasks import OutboundConfig
from outbound.tasks_store import record_sale
from store.seed import seed_from_settings
from telephony.simulator.server import start_simulator
from web.app import start_web
from web.session.users import ensure_user
from workforce.planner_store import publish_roster
from workforce.store_io import save_roster

log = logging.getLogger(__name__)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def demo_settings(settings: Settings) -> Settings:
    """The user's settings (Redis, database, web, var) plus the demo's call center."""
    data = settings.model_dump(mode="json", exclude_unset=True)
    data.update(demo_settings_overrides(_free_port()))
    return Settings.model_validate(data)


@dataclass
class Demo:
    rt: Runtime
    url: str
    sim_port: int
    pieces: asyncio.Task[None]  # the supervised pieces: ends only on a configuration error


DEMO_PIECES = [
    "store-writer",
    "router",
    "bridge",
    "outbound",
    "complaint-watch",
    "recordings-purge",
]


async def seed_demo(rt: Runtime, scenario_customers: list[dict[str, Any]]) -> None:
    """Idempotent: a second start finds everything in place."""
    s = rt.settings
    now = datetime.now(UTC)
    await seed_from_settings(rt.engine, s)
    for u in demo_users():
        await ensure_user(
            rt.engine,
            u.username,
            DEMO_PASSWORD,
            u.role,
            now=now,
            agent_id=u.agent_id,
            display_name=u.display_name,
        )
    for row in scenario_customers:
        await save_customer(
            rt.engine,
            CustomerRecord(**row),
            now=now,
            default_tz=s.timezone,
            redis=rt.redis,
            prefix=s.redis_prefix,
        )
    local = now.astimezone(ZoneInfo(s.timezone))  # the centre's days, like every roster
    week_start = (local - timedelta(days=local.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    demo_roster_id = await save_roster(
        rt.engine,
        demo_roster(SIMULATED_AGENTS + HUMAN_AGENTS, week_start),
        name=f"演示排班 {week_start:%G-W%V}",
        period_start_at=week_start,
        period_end_at=week_start + timedelta(days=7),
        created_at=now,
    )
    # supersedes the roster an earlier start published for the week: one set of shifts
    await publish_roster(rt.engine, demo_roster_id, now)
    outbound = OutboundConfig.from_settings(s)
    for i, row in enumerate(scenario_customers[-8:]):
        await record_sale(
            rt.engine,
            sale_id=f"demo-sale-{now:%Y%m%d}-{i}",
            customer_id=str(row["customer_id"]),
            sold_at=now - timedelta(hours=2),
            now=now,
            config=outbound,
            product="500M宽带",
            amount=199.0,
            redis=rt.redis,
            prefix=s.redis_prefix,
        )
    complaints = ComplaintConfig.from_settings(s)
    for i, (cat, sev, hours_ago, description) in enumerate(DEMO_COMPLAINTS):
        await open_complaint(
            rt.engine,
            category=cat,
            severity=sev,
            description=description,
            now=now - timedelta(hours=hours_ago),
            config=complaints,
            customer_id=str(scenario_customers[i]["customer_id"]),
            opened_by="supervisor",
            complaint_id=f"demo-complaint-{i}",
            redis=rt.redis,
            prefix=s.redis_prefix,
        )


@asynccontextmanager
async def start_demo(settings: Settings, *, web_port: int | None = None) -> AsyncIterator[Demo]:
    """Everything started; yields the demo once the web answers. Leaving the block stops it.

    The web starts first (a port in use stops the demo at once, exit code 2); then the pieces
    run under the supervisor (``/healthz`` shows each), the simulated agents as one of them."""
    settings = demo_settings(settings)
    scenario = demo_scenario(start_hour=9.5)  # the simulated day starts in the morning peak
    async with open_runtime(settings) as rt:
        await seed_demo(rt, demo_customers(scenario))
        async with start_simulator(
            scenario=scenario,
            username=settings.ami.username,
            secret=settings.ami.secret,
            host="127.0.0.1",
            port=settings.ami.port,
            speed=1.0,
            recordings=(settings.recording.asterisk_dir, settings.recordings_folder),
        ) as sim:
            runner, port = await start_web(rt, port=web_port)
            pieces = supervised(rt, DEMO_PIECES)
            pieces["simulated-agents"] = functools.partial(
                run_simulated_agents, rt, SIMULATED_AGENTS
            )
            task = asyncio.create_task(rt.supervisor.run(pieces), name="demo-pieces")
            try:
                yield Demo(
                    rt=rt, url=f"http://{settings.web.host}:{port}/", sim_port=sim.port, pieces=task
                )
            finally:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
                await runner.cleanup()


def sign_in_panel(url: str) -> Panel:
    table = Table(box=None, show_header=True, header_style="bold")
    table.add_column("user")
    table.add_column("role")
    table.add_column("what to try")
    hints = {
        "admin": "everything",
        "supervisor": "wallboard: live queues, agents, listen / whisper / barge",
        "planner": "forecast, staffing, rosters",
        "qa": "evaluate sampled calls",
    }
    for u in demo_users():
        table.add_row(
            u.username,
            u.role,
            hints.get(
                u.role,
                (
                    f"agent {u.agent_id}: log in, ready, press Answer while it rings (it rings"
                    " until the queue's ring timeout, then you are not ready for rona)"
                ),
            ),
        )
    body = Table.grid(padding=(0, 1))
    body.add_row(f"[bold green]{url}[/]")
    body.add_row(f"password for every user: [bold]{DEMO_PASSWORD}[/]")
    body.add_row(table)
    body.add_row("[dim]Ctrl-C stops everything.[/]")
    return Panel(body, title="call center demo", expand=False)


@click.command()
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=None,
    help="Web port (default: settings web.port).",
)
@click.pass_context
def demo(ctx: click.Context, port: int | None) -> None:
    """Run the whole platform with a simulated PBX and agents; prints the URL and sign-ins."""
    settings: Settings = ctx.obj.settings
    setup_logging(settings, "demo")
    for h in logging.getLogger().handlers:  # keep the terminal for the panel: logs go to the file
        if type(h) is logging.StreamHandler:
            h.setLevel(logging.WARNING)

    async def go() -> None:
        main = asyncio.current_task()
        assert main is not None
        with cancel_on_signals(main):
            try:
                async with start_demo(settings, web_port=port) as d:
                    Console().print(sign_in_panel(d.url))
                    try:
                        await d.pieces  # runs until stopped (or a configuration error)
                    except* SettingsError as group:
                        raise group.exceptions[0] from None
            except asyncio.CancelledError:
                Console().print("demo stopped")

    asyncio.run(go())
