"""``callcenter recordings purge``: delete the recordings whose retention has ended."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from datetime import UTC, datetime

import click

from config.logs import setup_logging
from config.services import open_database
from kernel.settings import Settings
from qa.recordings_store import PurgeResult, purge


@click.group()
def recordings() -> None:
    """Call recordings: the retention purge."""


@recordings.command("purge")
@click.pass_context
def purge_command(ctx: click.Context) -> None:
    """Delete expired recording files (retention: the queue's retention_days, else
    [recording] retention_days); each is logged, its row kept with when it was purged."""
    settings: Settings = ctx.obj.settings
    setup_logging(settings, "recordings")

    async def go() -> PurgeResult:
        async with AsyncExitStack() as stack:
            engine = await open_database(settings, stack, migrate=True)
            return await purge(engine, settings, datetime.now(UTC))

    result = asyncio.run(go())
    click.echo(
        f"recordings purged: {len(result.deleted)} deleted, {len(result.missing)} already gone, "
        f"{len(result.kept_remote)} kept on the PBX host"
    )
