"""``callcenter bridge``: the AMI bridge alone in this process; ``callcenter simulate``: the PBX
simulator alone."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import click

from config.commands.platform import serve_until_signal
from config.logs import setup_logging
from kernel.files import read_text
from kernel.settings import Settings


@click.command()
@click.pass_context
def bridge(ctx: click.Context) -> None:
    """Connect to Asterisk (or the PBX simulator) over AMI: events to Redis, commands to AMI."""
    settings: Settings = ctx.obj.settings
    if not settings.ami.host:
        raise click.UsageError("no AMI host: set CALLCENTER_AMI_HOST or [ami] host in the settings")
    setup_logging(settings, "bridge")
    asyncio.run(serve_until_signal(settings, ["bridge"]))


@click.command()
@click.option(
    "--scenario",
    "scenario_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Traffic scenario (TOML). Default: built-in, with the queues and agents of the settings.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5038, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--speed",
    default=1.0,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="Simulated seconds per real second (60 = one simulated hour per real minute).",
)
@click.option("--seed", type=int, default=None, help="Random seed (default: the scenario's).")
@click.option("--no-traffic", is_flag=True, help="Generate no calls; only answer AMI actions.")
@click.option(
    "--timestamp-events",
    is_flag=True,
    help="Add Asterisk's Timestamp header (simulated time) to events, as manager.conf "
    "timestampevents=yes does: with --speed other than 1 the bridge then records the "
    "simulated durations rather than its own clock's.",
)
@click.option(
    "--cdr-csv",
    "cdr_csv",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Append each call detail record to this file as Asterisk's cdr_csv writes Master.csv "
    "(18 columns, UTC, the sample config/asterisk/cdr.conf); point [ami] cdr_csv at it.",
)
@click.pass_context
def simulate(
    ctx: click.Context,
    scenario_path: Path | None,
    host: str,
    port: int,
    speed: float,
    seed: int | None,
    no_traffic: bool,
    timestamp_events: bool,
    cdr_csv: Path | None,
) -> None:
    """Run the PBX simulator alone: an AMI server that behaves like Asterisk, with traffic."""
    from telephony.simulator import Scenario, ScenarioError, start_simulator

    settings: Settings = ctx.obj.settings
    try:
        scenario = (
            Scenario.from_toml(read_text(scenario_path), str(scenario_path))
            if scenario_path
            else Scenario.default(settings)
        )
    except ScenarioError as exc:
        raise click.BadParameter(str(exc), param_hint="--scenario") from exc
    setup_logging(settings, "simulate")

    async def run() -> None:
        async with start_simulator(
            scenario=scenario,
            username=settings.ami.username,
            secret=settings.ami.secret,
            host=host,
            port=port,
            speed=speed,
            seed=seed,
            traffic=not no_traffic,
            timestamp_events=timestamp_events,
            cdr_csv=cdr_csv,
            recordings=(settings.recording.asterisk_dir, settings.recordings_folder),
        ) as sim:
            click.echo(
                f"PBX simulator on {host}:{sim.port} (AMI user {settings.ami.username!r}, "
                f"speed x{speed:g}, {len(scenario.queues)} queues, {len(scenario.agents)} agents)"
            )
            await asyncio.Event().wait()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())
