"""``callcenter user add NAME --role R``: create the people who sign in to the web pages."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from pathlib import Path

import click
from rich.console import Console
from sqlalchemy.ext.asyncio import AsyncEngine

from config.services import open_database
from kernel.files import read_text
from kernel.settings import Settings
from kernel.vocabulary import ROLES
from web.session.passwords import MIN_PASSWORD_CHARS
from web.session.users import UserExistsError, create_user

console = Console()


@click.group()
def user() -> None:
    """Web users: agents, supervisors, planners, QA evaluators, admins."""


@user.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES), help="What the user may do.")
@click.option("--agent-id", default=None, help="The agent this user is (role agent; default NAME).")
@click.option("--display-name", default=None, help="Name shown on the pages.")
@click.option(
    "--password-file",
    type=click.Path(path_type=Path),
    default=None,
    help="Read the password from this file's first line instead of asking.",
)
@click.pass_context
def add(
    ctx: click.Context,
    name: str,
    role: str,
    agent_id: str | None,
    display_name: str | None,
    password_file: Path | None,
) -> None:
    """Create user NAME with role R; the password is asked for (twice) unless given by file."""
    settings: Settings = ctx.obj.settings
    if password_file is not None:
        lines = read_text(password_file).splitlines()
        password = lines[0] if lines else ""
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD_CHARS:
        raise click.BadParameter(f"at least {MIN_PASSWORD_CHARS} characters", param_hint="password")
    if role == "agent" and settings.agents:
        known = {a.id for a in settings.agents}
        if (agent_id or name) not in known:
            raise click.BadParameter(
                f"{agent_id or name!r} is not an agent in the settings", param_hint="--agent-id"
            )

    async def go() -> None:
        async with AsyncExitStack() as stack:
            engine = await open_database(settings, stack, migrate=False)
            assert isinstance(engine, AsyncEngine)  # open_database is typed as returning object
            await create_user(
                engine,
                name,
                password,
                role,
                now=datetime.now(UTC),
                agent_id=agent_id,
                display_name=display_name,
            )

    try:
        asyncio.run(go())
    except UserExistsError as exc:
        raise click.BadParameter(str(exc), param_hint="NAME") from None
    console.print(f"[green]user {name} added[/] (role {role})")
