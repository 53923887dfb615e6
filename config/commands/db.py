"""``callcenter db``: migrations and seeding the store from the settings file."""

from __future__ import annotations

import asyncio

import click
from rich.console import Console

from config.services import open_database
from kernel.settings import Settings
from store.seed import seed_from_settings

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
@click.pass_context
def seed(ctx: click.Context) -> None:
    """Insert or update the skills, queues and agents listed in the settings file."""
    settings: Settings = ctx.obj.settings

    async def go() -> dict[str, int]:
        from contextlib import AsyncExitStack

        async with AsyncExitStack() as stack:
            engine = await open_database(settings, stack, migrate=True)
            return await seed_from_settings(engine, settings)

    counts = asyncio.run(go())
    console.print(", ".join(f"{v} {k}" for k, v in counts.items()) + " written")
