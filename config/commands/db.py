"""``callcenter db``: migrations and seeding the store from the settings file."""

from __future__ import annotations

import asyncio

import click
from rich.console import Console

from config.services import open_database
from kernel.settings import Settings
from store.seed import SeedReport, seed_from_settings

console = Console()


@click.group()
def db() -> None:
    """The call-event store (SQLite by default, PostgreSQL by CALLCENTER_DB_URL)."""


@db.command()
@click.pass_context
def upgrade(ctx: click.Context) -> None:
    """Run the database migrations (Alembic) up to the latest version."""
    settings: Settings = ctx.obj.settings

    async def go() -> None:
        from contextlib import AsyncExitStack

        async with AsyncExitStack() as stack:
            await open_database(settings, stack, migrate=True)

    asyncio.run(go())
    console.print(f"[green]database is up to date[/] ({settings.db_url or settings.sqlite_path})")


@db.command()
@click.option(
    "--overwrite",
    is_flag=True,
    help="Write the file's values over rows the store already has (edits made on the pages).",
)
@click.pass_context
def seed(ctx: click.Context, overwrite: bool) -> None:
    """Add the skills, queues and agents of the settings file that the store lacks; rows the
    store has (perhaps edited on the pages) are kept unless --overwrite is given."""
    settings: Settings = ctx.obj.settings

    async def go() -> SeedReport:
        from contextlib import AsyncExitStack

        async with AsyncExitStack() as stack:
            engine = await open_database(settings, stack, migrate=True)
            return await seed_from_settings(engine, settings, overwrite=overwrite)

    report = asyncio.run(go())
    console.print(", ".join(f"{v} {k}" for k, v in report.added.items()) + " added")
    if overwrite:
        console.print(", ".join(f"{v} {k}" for k, v in report.overwritten.items()) + " overwritten")
    elif any(report.kept.values()):
        kept = ", ".join(f"{v} {k}" for k, v in report.kept.items())
        console.print(f"{kept} already in the store, kept (--overwrite to replace them)")
