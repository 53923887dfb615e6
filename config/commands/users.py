"""``callcenter user add NAME --role R`` and ``callcenter user unlock NAME``: the people who sign
in to the web pages (the Users page does the rest: ``web.users``)."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from pathlib import Path

import click
from rich.console import Console

from config.services import open_database, open_redis
from kernel.files import read_text
from kernel.settings import Settings
from kernel.vocabulary import ROLES
from web.session.passwords import MIN_PASSWORD_CHARS
from web.session.ratelimit import LoginThrottle
from web.session.users import UnknownUserError, UserExistsError
from web.users.accounts import Actor, UnknownAgentIdError, add_user, record_unlock

CLI = Actor("cli", "admin")  # who the audit log names for a change made on the command line

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

    async def go() -> None:
        async with AsyncExitStack() as stack:
            engine = await open_database(settings, stack, migrate=False)
            await add_user(
                engine,
                CLI,
                username=name,
                password=password,
                role=role,
                agent_id=agent_id,
                display_name=display_name,
                configured_agents={a.id for a in settings.agents},
                now=datetime.now(UTC),
            )

    try:
        asyncio.run(go())
    except UserExistsError as exc:
        raise click.BadParameter(str(exc), param_hint="NAME") from None
    except UnknownAgentIdError as exc:  # exit 1, one line naming the option
        raise click.ClickException(f"--agent-id: {str(exc).partition(': ')[2]}") from None
    console.print(f"[green]user {name} added[/] (role {role})")


@user.command("unlock")
@click.argument("name")
@click.pass_context
def unlock(ctx: click.Context, name: str) -> None:
    """Clear NAME's failed sign-ins (from every address) so they can sign in at once; audited."""
    settings: Settings = ctx.obj.settings

    async def go() -> bool:
        async with AsyncExitStack() as stack:
            engine = await open_database(settings, stack, migrate=False)
            redis, _, _ = await open_redis(settings, stack)
            was_locked = await LoginThrottle.for_settings(redis, settings).unlock(name)
            await record_unlock(engine, CLI, name, was_locked=was_locked, now=datetime.now(UTC))
            return was_locked

    try:
        was_locked = asyncio.run(go())
    except UnknownUserError as exc:
        raise click.ClickException(f"NAME: {exc}") from None
    console.print(
        f"[green]user {name} unlocked[/]" if was_locked else f"user {name} was not locked"
    )
