"""``callcenter version`` and ``callcenter serve``."""

from __future__ import annotations

import asyncio
import logging
from importlib.metadata import version as dist_version

import click

from config.logs import setup_logging
from config.pieces import PIECES, default_pieces, supervised
from config.services import open_runtime
from config.stopping import cancel_on_signals
from kernel.runtime import Runtime
from kernel.settings import Settings, SettingsError

log = logging.getLogger(__name__)


@click.command()
def version() -> None:
    """Print the platform's version."""
    click.echo(f"callcenter {dist_version('callcenter')}")


async def run_pieces(rt: Runtime, names: list[str]) -> None:
    """Run the named pieces under ``rt.supervisor`` until cancelled (each restarted when it
    fails)."""
    await rt.supervisor.run(supervised(rt, names))


async def serve_until_signal(settings: Settings, names: list[str]) -> None:
    main = asyncio.current_task()
    assert main is not None
    with cancel_on_signals(main):
        try:
            async with open_runtime(settings) as rt:
                log.info(
                    "serving %s (redis %s, database %s)",
                    ", ".join(names),
                    rt.redis_url,
                    settings.db_url or settings.sqlite_path,
                )
                try:
                    await run_pieces(rt, names)
                except* SettingsError as group:  # a piece refused its settings: exit 2, one line
                    raise group.exceptions[0] from None
        except asyncio.CancelledError:
            log.info("stopped")


@click.command()
@click.option(
    "--only",
    multiple=True,
    type=click.Choice(sorted(PIECES)),
    help="Run only these pieces (repeatable). Default: store-writer, router, web, and the "
    "bridge when AMI settings are present.",
)
@click.pass_context
def serve(ctx: click.Context, only: tuple[str, ...]) -> None:
    """Start the platform's pieces in this process; Ctrl-C or SIGTERM stops them cleanly."""
    settings: Settings = ctx.obj.settings
    names = list(only) or default_pieces(settings)
    setup_logging(settings, "serve")
    asyncio.run(serve_until_signal(settings, names))
