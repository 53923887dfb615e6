"""The ``callcenter`` command: the composition root's front door.

The subcommands live in ``config/commands/`` (one module per area, calling the services of the
feature packages) and in ``config.demo``; they are attached here. Settings load lazily (``ctx.obj.settings``) so
``--help`` works with a broken configuration, and a ``SettingsError`` anywhere stops the command
with exit code 2 and one line naming the field (no traceback); so does a ``FileReadError`` (a
file given to a command that cannot be read as text: ``kernel.files``), naming the file.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import click

from config.commands import (
    customers,
    db,
    phone,
    platform,
    qa,
    recordings,
    reports,
    router,
    telephony,
    users,
    workforce,
)
from config.demo import demo
from kernel.files import FileReadError
from kernel.settings import Settings, SettingsError, load_settings


@dataclass
class CliContext:
    config_path: Path | None
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    _settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.env, self.config_path)
        return self._settings


class _Group(click.Group):
    """Turns ``SettingsError`` (raised while any command runs) into exit code 2 and one line."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (SettingsError, FileReadError) as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Settings file (TOML). Default: $CALLCENTER_CONFIG, else ./callcenter.toml if present.",
)
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None) -> None:
    """Call center platform: AMI bridge, skills-based router, staffing, rosters and QA."""
    ctx.obj = CliContext(config_path=config_path)


for command in (
    platform.version,
    platform.serve,
    db.db,
    demo,
    workforce.staffing,
    workforce.forecast,
    workforce.roster,
    workforce.adherence,
    telephony.bridge,
    telephony.simulate,
    qa.qa,
    qa.scorecard,
    users.user,
    phone.phone,
    customers.customers,
    customers.complaints,
    customers.outbound,
    router.router,
    router.queues,
    workforce.whatif,
    reports.report,
    recordings.recordings,
):
    cli.add_command(command)


def main() -> None:
    try:
        cli.main(prog_name="callcenter", standalone_mode=True)
    except (SettingsError, FileReadError) as exc:  # raised outside a command's invoke
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
